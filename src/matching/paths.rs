//! Two paths for the smallest faces. A face of 16 px of its own is embedded twice: by the
//! 16 px networks, and, aligned at 24 px from the same pixels, by the 24 px ones. The two
//! networks were trained apart and err on different faces, so their evidence together tells
//! people apart better than either alone: on validation identities' faces of 16 px of their
//! own, the pair EER went 9.97 -> 7.80% (95% interval of the change over people -4.86 to
//! -0.28 points), while the 24 px path alone was not better beyond its interval
//! (docs/distance.md).
//!
//! Each path is scored against its own templates (and normalised against its own cohort);
//! the decision is on the mean of the two margins over each path's own calibrated threshold,
//! so no new threshold is needed. That mean is put back on the first path's scale (its
//! threshold plus the mean margin), so the window, `identify` and a threshold the user sets
//! read it as they read a one-path score.

use super::Cohort;

/// One way a face was embedded, and what it is matched against that way.
pub struct Path<'a, I> {
    pub query: &'a [f32],
    /// Each person's gallery index and template made by this path's networks.
    pub people: I,
    /// The path's calibrated threshold: what its scores' margins are measured from.
    pub threshold: f32,
    pub cohort: Option<&'a Cohort>,
}

/// A two-path score on the first path's scale: `first`'s threshold plus the mean of the two
/// scores' margins over their own thresholds.
pub fn combine_paths(first: f32, first_threshold: f32, second: f32, second_threshold: f32) -> f32 {
    first_threshold + ((first - first_threshold) + (second - second_threshold)) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mean_margin_lands_on_the_first_paths_scale() {
        // Both paths just at their thresholds: just at the first's.
        assert!((combine_paths(0.20, 0.20, 0.23, 0.23) - 0.20).abs() < 1e-6);
        // 0.1 over on the first, 0.05 under on the second: 0.025 over.
        assert!((combine_paths(0.30, 0.20, 0.18, 0.23) - 0.225).abs() < 1e-6);
    }
}
