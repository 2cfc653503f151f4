"""Time-series anomaly-state detection: given standard series, decide whether new series deviate
from them (Zhou, Zhang, Leng, Wang, Xu 2024), on the authors' streams built from bundled UCR
datasets and scored per time point through sliding windows."""

import numpy as np

from harness import claim, control, measures, paper, per_scale, tasks
from harness.measures.stream_windows import score_stream

DETECTORS = ("knn", "hbos")
STRIDE_DIVISOR = 10  # windows of the series length start every length // 10 points
MAX_SERIES = {"ItalyPowerDemand": 200}  # of its 1,096 series, for the budget
FARTHEST, NEAREST = 0, len(tasks.anomaly_state.LEVELS) - 1


def stream_aucs(run, ranked: bool = True, levels: tuple[int, ...] = (0, 1, 2, 3)) -> list[dict]:
    """The authors' benchmark (harness/tasks/anomaly_state.py), shrunk to the univariate UCR
    datasets aeon bundles with at most 5 classes (GunPoint, ArrowHead, ItalyPowerDemand, the last
    subsampled to 200 series) and one repeat per seed: per normal class, anomaly level and
    training share (0.0, 0.5) one stream, 56 in all. Each stream's test part is cut into windows of
    the series length every length // 10 points; a detector fitted on the training part's windows
    (share 0.5) or on the test part's own (share 0.0: unsupervised, the stream is all there is)
    scores them; a point's score is the mean over the windows covering it; ROC-AUC against the
    per-point labels of the test part (the training points are left out: the detector has seen
    them). Detectors: KNN, distance to the 5th nearest window (pyod's default), a proximity-based
    one; HBOS, per-coordinate histograms with 10 bins (pyod's defaults), a statistical one."""
    rows = []
    for name in tasks.anomaly_state.UCR_LOADERS:
        x, classes = tasks.ucr_dataset(name, run.rng, max_series=MAX_SERIES.get(name))
        for task in tasks.anomaly_state_tasks(name, x, classes, run.rng, levels=levels,
                                              ranked=ranked):
            run.require(task.share == 0.0 or task.train_points > 0,
                        f"{name} class {task.normal_class}: no training series at share 0.5")
            truth = task.labels[task.train_points:]
            stride = max(1, task.series_length // STRIDE_DIVISOR)
            row = {"task": (name, task.normal_class, task.share), "level": task.level,
                   "share": task.share, "labels": truth}
            for detector in DETECTORS:
                scores = score_stream(task.values, task.train_points, task.series_length, stride,
                                      detector)
                row[detector] = measures.roc_auc(truth, scores)
            rows.append(row)
    trace_levels(run, rows, "ranked" if ranked else "random anomalies")
    return rows


def trace_levels(run, rows: list[dict], how: str) -> None:
    """Evidence: mean ROC-AUC per anomaly level, per detector and training share."""
    for detector in DETECTORS:
        for share in (0.0, 0.5):
            for level in sorted({row["level"] for row in rows}):
                aucs = [row[detector] for row in rows
                        if row["share"] == share and row["level"] == level]
                run.trace(f"mean ROC-AUC, {detector}, share {share}, {how}", level,
                          float(np.mean(aucs)), x_label="anomaly level (0: ranks 1-3 ... "
                          "3: ranks 10-12 by mean SBD, farthest first)")
            run.trace_array(f"ROC-AUC per stream, {detector}, share {share}, {how}",
                            [row[detector] for row in rows if row["share"] == share])


@claim(
    id="anomaly-state/detectable",
    statement="Anomaly states built from classification data are detectable from the standard "
              "series alone: in the benchmark's streams, a proximity detector fitted on half the "
              "standard set scores the time points of the anomalous series above those of the "
              "held-out standard series.",
    source=paper("zhou2024anomaly", "abstract; stream construction from the authors' code: "
                 "Johnzhx/TSASD, StreamDataGenerater.py (AUC-ROC results not verified "
                 "against the PDF)"),
    metric="mean per-point ROC-AUC of window KNN over the 28 streams with training share 0.5 "
           "(3 UCR datasets x normal class x 4 levels)",
    holds_if=(">", 0.95),
    control=control("a detector with uniform random scores per point", detector="random"),
    seeds=per_scale(ci=3, paper=5),
    seed_name="anomaly-state/ucr",
)
def anomaly_states_detectable(run, detector="knn"):
    aucs = []
    for row in run.shared(stream_aucs):
        if row["share"] == 0.5:
            aucs.append(measures.roc_auc(row["labels"], run.rng.random(len(row["labels"])))
                        if detector == "random" else row[detector])
    run.trace_array(f"ROC-AUC per stream, share 0.5, {detector} (claim metric)", aucs)
    return float(np.mean(aucs))


def level_differences(rows: list[dict]) -> np.ndarray:
    """Per normal class (dataset, class): mean ROC-AUC at the farthest level minus at the
    nearest, the mean over both detectors and both training shares. The class is the unit: its
    streams of one level share their 3 anomalies, so they are not independent pairs."""
    def mean_auc(key: tuple, level: int) -> float:
        return float(np.mean([row[detector] for row in rows for detector in DETECTORS
                              if row["task"][:2] == key and row["level"] == level]))

    classes = sorted({row["task"][:2] for row in rows})
    return np.array([mean_auc(key, FARTHEST) - mean_auc(key, NEAREST) for key in classes])


@claim(
    id="anomaly-state/farther-easier",
    statement="The farther an anomaly state lies from the standard set, the easier it is to "
              "detect: the anomalies of rank 1-3 by mean SBD to the standard set are detected "
              "better than those of rank 10-12.",
    source=paper("zhou2024anomaly", "benchmark construction in the authors' code "
                 "(Johnzhx/TSASD, StreamDataGenerater.py): the anomaly levels are the other "
                 "classes' series ranked 1-3, 4-6, 7-9, 10-12 by mean SBD to the standard set, "
                 "farthest first, a graded design; no per-level result read in any source"),
    metric="one-sided 95% bootstrap lower bound of the mean over the 7 normal classes of "
           "ROC-AUC(ranks 1-3) - ROC-AUC(ranks 10-12), each class's AUCs averaged over KNN and "
           "HBOS and training shares 0.0 and 0.5",
    holds_if=(">", 0.0),
    control=control("anomalies drawn at random from the other classes at both levels",
                    ranked=False),
    seeds=per_scale(ci=3, paper=5),
    seed_name="anomaly-state/ucr",
    xfail="measured lower bounds +0.0061 +0.0042 +0.0075 / +0.0141 +0.0097 +0.0028 / +0.0025 "
          "-0.0016 +0.0105, control (random anomalies) -0.202 -0.079 +0.0018 / -0.123 -0.098 "
          "-0.108 / -0.153 -0.151 +0.0152 (base seeds 0/1/2): the nearest level is detected "
          "nearly as well as the farthest (window KNN's mean per-point AUC is 0.989-0.998 over "
          "all levels; HBOS moves by +-0.05 between levels without order), so the gap, about "
          "0.01, is within the seed-to-seed spread and the control does not refute reliably; "
          "the paper's per-level results, which might show the grading, were not readable",
)
def farther_anomalies_easier(run, ranked=True):
    rows = (run.shared(stream_aucs) if ranked else
            run.shared(stream_aucs, ranked=False, levels=(FARTHEST, NEAREST)))
    return measures.paired_lower_bound(level_differences(rows), run.rng)
