//! Cosine matching of an embedding against enrolled people: 1:N identification (normalised
//! against a [`Cohort`] where the models have one) and 1:1 verification. [`cosine`] divides by
//! both norms, so it does not rely on the embeddings being unit length (they are, but a
//! hand-edited gallery need not be).

mod cohort;
mod embedding;
mod paths;
mod template;

pub use cohort::{Cohort, Spread};
pub use embedding::{l2_normalise, EMBEDDING_DIMS};
pub use paths::{combine_paths, Path};
pub use template::{template, Recipe};

/// How many candidates a match reports.
pub const TOP_K: usize = 5;

pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    let denominator = norm(a) * norm(b);
    if denominator > 0.0 && denominator.is_finite() {
        dot / denominator
    } else {
        0.0
    }
}

/// One candidate: the index of the person in the gallery and their score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    pub person: usize,
    /// What the threshold applies to: the cosine normalised against the cohort where there
    /// is one, else the cosine.
    pub score: f32,
    pub cosine: f32,
}

/// The outcome of matching one face.
#[derive(Debug, Clone, Default)]
pub struct MatchResult {
    /// Best first, at most [`TOP_K`].
    pub top: Vec<Scored>,
    pub threshold: f32,
    /// The best candidate, if its score reaches the threshold and [`MatchResult::refuse`] did
    /// not take it back.
    pub accepted: Option<Scored>,
    /// The person whose name was taken back: the face looks more like one the user said is
    /// not them than like them.
    pub refused: Option<usize>,
    /// Scratch for the cohort's scores, reused.
    cohort_scores: Vec<f32>,
    /// Scratch for a second path's scores, reused.
    second_scores: Vec<Scored>,
}

impl MatchResult {
    /// 1:N: scores `query` against every person and keeps the best [`TOP_K`]. `people` yields
    /// each person's gallery index and embedding; with a `cohort`, scores are normalised
    /// against it (and `threshold` is on that scale). Reuses `self`'s memory.
    pub fn identify<'a>(
        &mut self,
        query: &[f32],
        people: impl Iterator<Item = (usize, &'a [f32])>,
        threshold: f32,
        cohort: Option<&Cohort>,
    ) {
        self.top.clear();
        self.score(query, people, cohort);
        self.decide(threshold);
    }

    /// 1:N (or, with one person and no cohorts, 1:1) on a face embedded two ways
    /// ([`combine_paths`]): each person's score is the two paths' combined, on `first`'s
    /// scale, where `threshold` applies. A person without a template on the second path is
    /// scored on the first alone. `cosine` stays the first path's.
    pub fn identify_two<'a, 'b>(
        &mut self,
        first: Path<'_, impl Iterator<Item = (usize, &'a [f32])>>,
        second: Path<'_, impl Iterator<Item = (usize, &'b [f32])>>,
        threshold: f32,
    ) {
        self.top.clear();
        self.score(second.query, second.people, second.cohort);
        std::mem::swap(&mut self.top, &mut self.second_scores);
        self.top.clear();
        self.score(first.query, first.people, first.cohort);
        for scored in &mut self.top {
            if let Some(other) = self
                .second_scores
                .iter()
                .find(|o| o.person == scored.person)
            {
                scored.score =
                    combine_paths(scored.score, first.threshold, other.score, second.threshold);
            }
        }
        self.decide(threshold);
    }

    /// Adds every person's score against `query` to `top`.
    fn score<'a>(
        &mut self,
        query: &[f32],
        people: impl Iterator<Item = (usize, &'a [f32])>,
        cohort: Option<&Cohort>,
    ) {
        let probe = cohort.map(|c| (c, c.spread(query, &mut self.cohort_scores)));
        for (person, template) in people {
            let cosine = cosine(query, template);
            let score = match probe {
                Some((cohort, probe)) => {
                    let spread = cohort.template_spread(template, &mut self.cohort_scores);
                    cohort.normalise(cosine, spread, probe)
                }
                None => cosine,
            };
            self.top.push(Scored {
                person,
                score,
                cosine,
            });
        }
    }

    /// Keeps the best [`TOP_K`] of `top` and accepts the best at `threshold`.
    fn decide(&mut self, threshold: f32) {
        self.top.sort_by(|a, b| b.score.total_cmp(&a.score));
        self.top.truncate(TOP_K);
        self.threshold = threshold;
        self.accepted = self
            .top
            .first()
            .copied()
            .filter(|best| best.score >= threshold);
        self.refused = None;
    }

    /// "Not X": takes the name back when `query` is at least as close to a face the user said
    /// is not the accepted person (`not_of(person)` yields those faces' embeddings) as to the
    /// person's template. The name is not passed on to the next candidate: a face the user
    /// corrected is shown as unknown, never as a second guess.
    pub fn refuse<'a, I>(&mut self, query: &[f32], not_of: impl FnOnce(usize) -> I)
    where
        I: Iterator<Item = &'a [f32]>,
    {
        if let Some(best) = self.accepted {
            if not_of(best.person).any(|not| cosine(query, not) >= best.cosine) {
                self.accepted = None;
                self.refused = Some(best.person);
            }
        }
    }

    /// 1:1: is `query` the person at `person` with `embedding`?
    pub fn verify(&mut self, query: &[f32], person: usize, embedding: &[f32], threshold: f32) {
        let cosine = cosine(query, embedding);
        let scored = Scored {
            person,
            score: cosine,
            cosine,
        };
        self.top.clear();
        self.top.push(scored);
        self.threshold = threshold;
        self.accepted = Some(scored).filter(|s| s.score >= threshold);
        self.refused = None;
    }
}

/// Mean of unit embeddings, re-normalised: a person's enrolled template.
pub fn mean_embedding<'a>(samples: impl Iterator<Item = &'a [f32]>, dims: usize) -> Vec<f32> {
    let mut mean = vec![0.0f32; dims];
    for sample in samples {
        for (m, s) in mean.iter_mut().zip(sample) {
            *m += s;
        }
    }
    l2_normalise(&mut mean);
    mean
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_basics() {
        assert!((cosine(&[1.0, 0.0], &[2.0, 0.0]) - 1.0).abs() < 1e-6);
        assert!(cosine(&[1.0, 0.0], &[0.0, 3.0]).abs() < 1e-6);
        assert!((cosine(&[1.0, 1.0], &[-1.0, -1.0]) + 1.0).abs() < 1e-6);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), 0.0);
    }

    #[test]
    fn identify_ranks_keeps_five_and_applies_threshold() {
        let people: Vec<Vec<f32>> = (0..7).map(|i| vec![1.0, i as f32 * 0.3]).collect();
        let mut result = MatchResult::default();
        result.identify(
            &[1.0, 0.0],
            people.iter().map(|v| v.as_slice()).enumerate(),
            0.99,
            None,
        );
        assert_eq!(result.top.len(), TOP_K);
        assert_eq!(result.top[0].person, 0);
        assert!(result.top.windows(2).all(|w| w[0].score >= w[1].score));
        assert_eq!(result.accepted.map(|s| s.person), Some(0));
        result.identify(
            &[0.0, -1.0],
            people.iter().map(|v| v.as_slice()).enumerate(),
            0.5,
            None,
        );
        assert_eq!(result.accepted, None);
    }

    #[test]
    fn a_face_closer_to_one_marked_not_them_is_refused() {
        let people = [vec![1.0, 0.0]];
        let mut result = MatchResult::default();
        // The look-alike: 0.8 against the template, 0.95 against a face marked not them.
        let look_alike = [0.8, 0.6];
        let marked = [vec![0.7, 0.714]];
        result.identify(
            &look_alike,
            people.iter().map(|v| v.as_slice()).enumerate(),
            0.5,
            None,
        );
        assert_eq!(result.accepted.map(|s| s.person), Some(0));
        result.refuse(&look_alike, |_| marked.iter().map(|v| v.as_slice()));
        assert_eq!((result.accepted, result.refused), (None, Some(0)));
        // The person themself: closer to their template than to the marked face.
        let own = [0.99, 0.14];
        result.identify(
            &own,
            people.iter().map(|v| v.as_slice()).enumerate(),
            0.5,
            None,
        );
        result.refuse(&own, |_| marked.iter().map(|v| v.as_slice()));
        assert_eq!(result.accepted.map(|s| s.person), Some(0));
        assert_eq!(result.refused, None);
    }

    fn path<'a>(
        query: &'a [f32],
        people: &'a [Vec<f32>],
        threshold: f32,
    ) -> Path<'a, impl Iterator<Item = (usize, &'a [f32])>> {
        Path {
            query,
            people: people.iter().map(|v| v.as_slice()).enumerate(),
            threshold,
            cohort: None,
        }
    }

    #[test]
    fn a_face_on_two_paths_is_decided_on_both() {
        let people = [vec![1.0, 0.0], vec![0.0, 1.0]];
        let mut result = MatchResult::default();
        // The first path leans to person 0 (0.8 against 0.6) under its threshold 0.85;
        // the second is sure of person 1 (1.0, 0.5 over its threshold).
        let (a, b) = ([0.8, 0.6], [0.0, 1.0]);
        result.identify_two(path(&a, &people, 0.85), path(&b, &people, 0.5), 0.85);
        // Person 1: 0.85 + ((0.6 - 0.85) + (1.0 - 0.5)) / 2 = 0.975.
        let best = result.accepted.expect("named on both paths");
        assert_eq!(best.person, 1);
        assert!((best.score - 0.975).abs() < 1e-6 && (best.cosine - 0.6).abs() < 1e-6);
        // On the first path alone nobody passes.
        let first = path(&a, &people, 0.85);
        result.identify(first.query, first.people, 0.85, None);
        assert_eq!(result.accepted, None);
        // A person without a second-path template is scored on the first alone.
        result.identify_two(path(&a, &people, 0.85), path(&b, &people[..0], 0.5), 0.85);
        assert!((result.top[0].score - 0.8).abs() < 1e-6 && result.accepted.is_none());
    }

    #[test]
    fn verify_and_mean() {
        let mut result = MatchResult::default();
        result.verify(&[1.0, 0.0], 3, &[0.8, 0.6], 0.7);
        assert_eq!(result.accepted.map(|s| s.person), Some(3));
        result.verify(&[1.0, 0.0], 3, &[0.6, 0.8], 0.7);
        assert_eq!(result.accepted, None);
        let samples = [vec![1.0, 0.0], vec![0.0, 1.0]];
        let mean = mean_embedding(samples.iter().map(|v| v.as_slice()), 2);
        assert!((mean[0] - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
    }
}
