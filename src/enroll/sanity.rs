//! Is an enrollment one person, and not someone already enrolled? Photos of two people
//! enrolled as one would make a template that is neither; the same person enrolled twice
//! under two names splits every match between them.

use crate::gallery::Gallery;
use crate::matching::{cosine, mean_embedding, Cohort, MatchResult};
use crate::resolution::Resolution;

/// The resolution the checks compare at: enrollment crops are near faces, and 32 px keeps
/// the most of them.
pub const CHECK_RES: Resolution = Resolution::R32;

/// Below this mean cosine between the two most different groups of an enrollment's faces
/// (see [`odd_ones`]), they are two people. Chosen on the 59 validation identities with 3 or
/// more photos (never trained on), 32 px, the shipped models: of 1,180 random same-person sets
/// of 3 to 10 photos, the groups' cosine was 0.52 at the median, 0.31 at the 5th percentile,
/// and under 0.15 only for the 20 sets holding Debra_Messing_0002, a photo that looks like
/// another woman; of sets mixing two people (400 of each mix), 96.8% of 3+3, 95.8% of 2+1,
/// 95.7% of 4+1, 96.5% of 5+1 and 100% of 5+5 fall under it.
pub const SPLIT_BOUND: f32 = 0.15;

/// The faces (indices into `samples`, unit embeddings at [`CHECK_RES`]) that differ from the
/// rest as another person would, if any: the samples are joined into two groups by average
/// linkage, and when the groups' mean cosine is under [`SPLIT_BOUND`] the smaller group is
/// returned with that cosine.
pub fn odd_ones(samples: &[Vec<f32>]) -> Option<(Vec<usize>, f32)> {
    let n = samples.len();
    if n < 2 {
        return None;
    }
    let similarity: Vec<Vec<f32>> = samples
        .iter()
        .map(|a| samples.iter().map(|b| cosine(a, b)).collect())
        .collect();
    let link = |a: &[usize], b: &[usize]| {
        let sum: f32 = a
            .iter()
            .flat_map(|&i| b.iter().map(move |&j| (i, j)))
            .map(|(i, j)| similarity[i][j])
            .sum();
        sum / (a.len() * b.len()) as f32
    };
    let mut groups: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    while groups.len() > 2 {
        let mut best = (f32::NEG_INFINITY, 0, 1);
        for x in 0..groups.len() {
            for y in x + 1..groups.len() {
                let l = link(&groups[x], &groups[y]);
                if l > best.0 {
                    best = (l, x, y);
                }
            }
        }
        let merged = groups.swap_remove(best.2);
        groups[best.1].extend(merged);
    }
    let between = link(&groups[0], &groups[1]);
    if between >= SPLIT_BOUND {
        return None;
    }
    groups.sort_by_key(Vec::len);
    let mut odd = groups.swap_remove(0);
    odd.sort_unstable();
    Some((odd, between))
}

/// The enrolled person whose template at [`CHECK_RES`] the new `samples`' mean is named as by
/// the 1:N decision (`threshold`, normalised against `cohort` as identification is): enrolling
/// them again under another name would split their matches.
pub fn looks_like(
    gallery: &Gallery,
    samples: &[Vec<f32>],
    fingerprint: &str,
    threshold: f32,
    cohort: Option<&Cohort>,
) -> Option<(String, f32)> {
    let template = mean_embedding(samples.iter().map(Vec::as_slice), samples[0].len());
    let mut matched = MatchResult::default();
    matched.identify(
        &template,
        gallery.embeddings(CHECK_RES, fingerprint),
        threshold,
        cohort,
    );
    let best = matched.accepted?;
    Some((gallery.people().get(best.person)?.name.clone(), best.score))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: &[f32]) -> Vec<f32> {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / n).collect()
    }

    #[test]
    fn two_people_are_told_apart_and_one_is_not_split() {
        let a = |k: f32| unit(&[1.0, 0.1 * k, 0.0]);
        let b = |k: f32| unit(&[0.0, 0.1 * k, 1.0]);
        let one = [a(1.0), a(2.0), a(3.0), a(-1.0)];
        assert_eq!(odd_ones(&one), None);
        let (odd, between) = odd_ones(&[a(1.0), b(1.0), a(2.0), a(3.0)]).unwrap();
        assert_eq!(odd, vec![1]);
        assert!(between < SPLIT_BOUND);
        let (odd, _) = odd_ones(&[b(1.0), a(1.0), b(2.0), a(2.0), b(3.0), a(3.0)]).unwrap();
        assert_eq!(odd.len(), 3);
    }
}
