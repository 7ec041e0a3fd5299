"""`python -m hfm_train ...` = `hfm-train ...`; what torchrun starts in every process:

    torchrun --standalone --nproc_per_node 2 -m hfm_train fit --league artifacts/league --threads 1

(hfm_train.distributed: gloo on CPUs, NCCL on GPUs; rank 0 writes the run folder.)
"""

from hfm_train.cli import main

if __name__ == "__main__":
    main()
