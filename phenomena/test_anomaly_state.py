"""Time-series anomaly-state detection: given standard series, decide whether a new series deviates
from them (Zhou, Zhang, Leng, Wang, Xu 2024), on tasks built from bundled UCR datasets."""

import numpy as np

from harness import claim, control, measures, paper, per_scale, tasks
from harness.extras import require

SPLITS_PER_TASK = 2
N_TASKS = 7 * 4 * SPLITS_PER_TASK  # normal classes of the 3 datasets x anomaly levels x splits


def detector_scores(run) -> list[dict]:
    """Zhou et al. 2024's benchmark, shrunk to the univariate UCR datasets aeon bundles with at most
    5 classes (GunPoint, ArrowHead, ItalyPowerDemand, the last subsampled to 200 series), its 4
    easiest anomaly levels and 2 random train/test splits per task: 56 tasks. Each test series is
    scored as a whole (a point in R^length) by detectors fitted on the training standard series:
    KNN (distance to the 5th nearest, pyod's default), a proximity-based detector, and HBOS
    (per-coordinate histograms, pyod's default 10 bins), a statistical one."""
    knn, hbos = require("pyod.models.knn", "timeseries"), require("pyod.models.hbos", "timeseries")
    scored = []
    for name in tasks.anomaly_state.UCR_LOADERS:
        x, classes = tasks.ucr_dataset(name, run.rng, max_series=200)
        for _ in range(SPLITS_PER_TASK):
            for task in tasks.anomaly_state_tasks(name, x, classes, run.rng):
                scored.append({
                    "labels": task.labels,
                    "knn": knn.KNN().fit(task.train).decision_function(task.test),
                    "hbos": hbos.HBOS().fit(task.train).decision_function(task.test),
                })
    return scored


def task_aucs(run, detectors: tuple[str, ...], labels: str) -> dict[str, np.ndarray]:
    """Each task's ROC-AUC for each detector ("random": uniform scores); labels "true", or
    "permuted" within each task (one permutation per task, shared by the detectors)."""
    values = {detector: [] for detector in detectors}
    for task in run.shared(detector_scores):
        truth = task["labels"] if labels == "true" else run.rng.permutation(task["labels"])
        for detector in detectors:
            scores = run.rng.random(len(truth)) if detector == "random" else task[detector]
            values[detector].append(measures.roc_auc(truth, scores))
    return {detector: np.array(v) for detector, v in values.items()}


@claim(
    id="anomaly-state/detectable",
    statement="Anomaly states built from classification data are detectable from the standard "
              "series alone: a proximity detector fitted on half the standard set ranks the "
              "held-out anomalies above the held-out standard series.",
    source=paper("zhou2024anomaly", "abstract; dataset construction from the authors' "
                 "code: Johnzhx/TSASD (AUC-ROC results not verified against the PDF)"),
    metric=f"mean ROC-AUC of KNN over {N_TASKS} tasks (3 UCR datasets x normal class x 4 "
           f"levels x {SPLITS_PER_TASK} splits)",
    holds_if=(">", 0.9),
    control=control("a detector with uniform random scores", detector="random"),
    seeds=per_scale(ci=3, paper=10),
    seed_name="anomaly-state/ucr",
)
def anomaly_states_detectable(run, detector="knn"):
    return float(task_aucs(run, (detector,), labels="true")[detector].mean())


@claim(
    id="anomaly-state/proximity-beats-statistical",
    statement="Proximity-based detectors rank above statistical ones: KNN's distance to the "
              "standard series detects anomaly states better than the histogram-based HBOS, "
              "task by task.",
    source=paper("zhou2024anomaly", "abstract (38 algorithms compared); the ranking "
                 "(proximity-based first, statistical last) only from a secondary summary (not "
                 "verified against the PDF)"),
    metric=f"one-sided 95% bootstrap lower bound of the mean paired difference ROC-AUC(KNN) - "
           f"ROC-AUC(HBOS) over {N_TASKS} tasks",
    holds_if=(">", 0.0),
    control=control("labels permuted within each task", labels="permuted"),
    seeds=per_scale(ci=3, paper=10),
    seed_name="anomaly-state/ucr",
    xfail="measured lower bounds -0.0073 -0.0031 -0.0012 / -0.0029 -0.0040 +0.0077 / +0.0011 "
          "+0.0013 -0.0030 (base seeds 0/1/2). Whole-series scoring of the paper's 4 easiest "
          "anomaly levels saturates (mean AUC KNN 0.98-0.99, HBOS 0.98-0.99): KNN wins more "
          "tasks than it loses (16:4, 19:9, 14:5 in an 84-task pilot) but by too little for the "
          "mean difference to clear 0; the paper's stream (sliding-window) setting is harder",
)
def proximity_beats_statistical(run, labels="true"):
    auc = task_aucs(run, ("knn", "hbos"), labels)
    return measures.paired_lower_bound(auc["knn"] - auc["hbos"], run.rng)
