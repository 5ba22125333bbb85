//! Verification metrics from scored pairs: EER, ROC AUC, TAR at fixed FAR, best accuracy.

#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Metrics {
    pub eer: f64,
    pub auc: f64,
    pub tar_far_1e2: f64,
    pub tar_far_1e3: f64,
    /// The loosest threshold whose FAR is at most 1e-2 (where `tar_far_1e2` is reached).
    pub threshold_far_1e2: f64,
    pub best_accuracy: f64,
    pub threshold_best: f64,
    pub threshold_eer: f64,
}

/// One ROC point per distinct threshold: accept when score >= threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RocPoint {
    pub threshold: f64,
    pub far: f64,
    pub tar: f64,
}

/// The ROC curve, from the strictest threshold (nothing accepted) to the loosest.
pub fn roc(scores: &[(f32, bool)]) -> Vec<RocPoint> {
    let positives = scores.iter().filter(|s| s.1).count().max(1) as f64;
    let negatives = scores.iter().filter(|s| !s.1).count().max(1) as f64;
    let mut sorted: Vec<(f32, bool)> = scores.to_vec();
    sorted.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut curve = vec![RocPoint {
        threshold: f64::INFINITY,
        far: 0.0,
        tar: 0.0,
    }];
    let (mut tp, mut fp) = (0usize, 0usize);
    let mut i = 0;
    while i < sorted.len() {
        let threshold = sorted[i].0;
        while i < sorted.len() && sorted[i].0 == threshold {
            if sorted[i].1 {
                tp += 1;
            } else {
                fp += 1;
            }
            i += 1;
        }
        curve.push(RocPoint {
            threshold: f64::from(threshold),
            far: fp as f64 / negatives,
            tar: tp as f64 / positives,
        });
    }
    curve
}

pub fn metrics(scores: &[(f32, bool)]) -> Metrics {
    let curve = roc(scores);
    let total = scores.len().max(1) as f64;
    let positives = scores.iter().filter(|s| s.1).count() as f64;
    let negatives = total - positives;
    let mut m = Metrics::default();
    let mut best_gap = f64::INFINITY;
    for (k, point) in curve.iter().enumerate() {
        if k > 0 {
            let previous = curve[k - 1];
            m.auc += (point.far - previous.far) * (point.tar + previous.tar) / 2.0;
        }
        let frr = 1.0 - point.tar;
        let gap = (point.far - frr).abs();
        if gap < best_gap {
            best_gap = gap;
            m.eer = (point.far + frr) / 2.0;
            m.threshold_eer = point.threshold;
        }
        if point.far <= 1e-2 {
            m.tar_far_1e2 = m.tar_far_1e2.max(point.tar);
            // The curve runs from strict to loose: the last such point is the loosest.
            m.threshold_far_1e2 = point.threshold;
        }
        if point.far <= 1e-3 {
            m.tar_far_1e3 = m.tar_far_1e3.max(point.tar);
        }
        let correct = point.tar * positives + (1.0 - point.far) * negatives;
        let accuracy = correct / total;
        if accuracy > m.best_accuracy && point.threshold.is_finite() {
            m.best_accuracy = accuracy;
            m.threshold_best = point.threshold;
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_separation() {
        let scores = [(0.9, true), (0.8, true), (0.1, false), (0.2, false)];
        let m = metrics(&scores);
        assert_eq!(m.eer, 0.0);
        assert!((m.auc - 1.0).abs() < 1e-12);
        assert_eq!(m.best_accuracy, 1.0);
        assert_eq!(m.tar_far_1e2, 1.0);
        assert!((m.threshold_best - 0.8).abs() < 1e-6);
        // 0.8 accepts both genuine pairs and no impostor; 0.2 would accept one of two.
        assert!((m.threshold_far_1e2 - 0.8).abs() < 1e-6);
    }

    #[test]
    fn one_overlap() {
        let scores = [(0.9, true), (0.3, true), (0.5, false), (0.1, false)];
        let m = metrics(&scores);
        assert!((m.eer - 0.5).abs() < 1e-9);
        assert!((m.auc - 0.75).abs() < 1e-9);
        assert!((m.best_accuracy - 0.75).abs() < 1e-9);
        assert!((m.tar_far_1e2 - 0.5).abs() < 1e-9);
    }

    #[test]
    fn random_scores_give_auc_near_half() {
        let scores: Vec<(f32, bool)> = (0..2000)
            .map(|i| (((i * 7919) % 1000) as f32, i % 2 == 0))
            .collect();
        let m = metrics(&scores);
        assert!((m.auc - 0.5).abs() < 0.05, "{}", m.auc);
        assert!((m.eer - 0.5).abs() < 0.05, "{}", m.eer);
    }
}
