//! Adaptive score normalisation (AS-norm) against a cohort: a few hundred embeddings of the
//! forge's training identities at one resolution, people no user knows. A raw cosine says how
//! alike two faces are; how alike is alike enough depends on the faces: some faces (a common
//! look, a blur, a turned head) score high against everyone. Normalising by the top of each
//! face's cohort scores, the template's and the probe's, asks instead how far this pair stands
//! above what strangers score against the same two faces.
//!
//! The normalised score is `((s - mean_t) / spread_t + (s - mean_p) / spread_p) / 2` times the
//! cohort's typical spread (`unit`), so it stays on a cosine's scale: 0 is as alike as the
//! closest strangers typically are, and a genuine match is a few tenths, as a cosine was. On
//! validation identities at 16 px, at a false-positive identification rate of 1%, it missed
//! enrolled people 6.87 -> 5.63% of the time (two photos enrolled, 95% interval of the change
//! over people -2.08 to -0.11 points): see docs/accuracy.md.
//!
//! The file (`cohort16.bin` and so on, written by the forge's `s09_cohort.py`): the magic
//! `LRFRCOH1`, the count and the dimensions (u32, little-endian), one f32 scale per member,
//! then each member's values as i8: member `i` is `values[i] * scale[i]`, unit length. INT8
//! keeps three resolutions' cohorts at 1.2 MB of memory instead of 4.9.

use std::sync::Mutex;

const MAGIC: &[u8; 8] = b"LRFRCOH1";
/// Templates whose cohort spread is kept: every person of a full gallery at each resolution
/// a live frame may use, and then some.
const KEPT_TEMPLATES: usize = 32;

/// Where a face's best cohort scores lie.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub mean: f32,
    pub spread: f32,
}

pub struct Cohort {
    dims: usize,
    scales: Vec<f32>,
    values: Vec<i8>,
    top_k: usize,
    unit: f32,
    /// Recently seen templates' spreads: a gallery's templates change only when it is edited,
    /// and each would otherwise cost a pass over the cohort on every match.
    templates: Mutex<Vec<(Vec<f32>, Spread)>>,
}

impl Cohort {
    /// A cohort file's bytes, which must hold `count` members of `dims` values; a face's mean
    /// and spread are taken over its best `top_k` (from 2 to `count`) cohort scores, and
    /// `unit` (above 0) is the cohort's typical spread. The error says what is wrong.
    pub fn from_bytes(
        bytes: &[u8],
        count: usize,
        dims: usize,
        top_k: usize,
        unit: f32,
    ) -> Result<Cohort, String> {
        if !((2..=count).contains(&top_k) && unit.is_finite() && unit > 0.0) {
            return Err(format!(
                "top_k {top_k} and unit {unit}: top_k must be from 2 to the count ({count}) and \
                 unit above 0"
            ));
        }
        // Checked: the count and dimensions come from a file a user can edit.
        let expected = count
            .checked_mul(dims.saturating_add(4))
            .and_then(|n| n.checked_add(16));
        if expected != Some(bytes.len()) || !bytes.starts_with(MAGIC) {
            return Err(format!(
                "{} bytes, not a cohort of {count} x {dims} (16 + {count} x ({dims} + 4) bytes \
                 starting LRFRCOH1)",
                bytes.len()
            ));
        }
        let header = |at: usize| {
            u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        if (header(8) as usize, header(12) as usize) != (count, dims) {
            return Err(format!(
                "holds {} x {}, the manifest says {count} x {dims}",
                header(8),
                header(12)
            ));
        }
        let scales: Vec<f32> = bytes[16..16 + count * 4]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        if !scales.iter().all(|s| s.is_finite() && *s > 0.0) {
            return Err("a member's scale is not a positive number".into());
        }
        let values = bytes[16 + count * 4..].iter().map(|&b| b as i8).collect();
        Ok(Cohort {
            dims,
            scales,
            values,
            top_k,
            unit,
            templates: Mutex::new(Vec::new()),
        })
    }

    /// The mean and spread of `face`'s best `top_k` cosines to the cohort. `scores` is
    /// scratch memory, reused.
    pub fn spread(&self, face: &[f32], scores: &mut Vec<f32>) -> Spread {
        let norm = face.iter().map(|x| x * x).sum::<f32>().sqrt();
        let norm = if norm > 0.0 && norm.is_finite() {
            norm
        } else {
            1.0
        };
        scores.clear();
        scores.extend(
            self.values
                .chunks_exact(self.dims)
                .zip(&self.scales)
                .map(|(member, scale)| dot(member, face) * scale / norm),
        );
        let k = self.top_k.min(scores.len());
        scores.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
        let top = &scores[..k];
        let mean = top.iter().sum::<f32>() / k as f32;
        let var = top.iter().map(|s| (s - mean) * (s - mean)).sum::<f32>() / k as f32;
        Spread {
            mean,
            // A cohort that scores one face all alike would divide by nothing.
            spread: var.sqrt().max(1e-3),
        }
    }

    /// [`Cohort::spread`] of a gallery template, kept for the next match.
    pub fn template_spread(&self, template: &[f32], scores: &mut Vec<f32>) -> Spread {
        let mut kept = self.templates.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(at) = kept.iter().position(|(t, _)| t.as_slice() == template) {
            return kept[at].1;
        }
        let spread = self.spread(template, scores);
        if kept.len() >= KEPT_TEMPLATES {
            kept.remove(0);
        }
        kept.push((template.to_vec(), spread));
        spread
    }

    /// The normalised score of a pair whose cosine is `cosine`.
    pub fn normalise(&self, cosine: f32, template: Spread, probe: Spread) -> f32 {
        let z = (cosine - template.mean) / template.spread + (cosine - probe.mean) / probe.spread;
        z / 2.0 * self.unit
    }
}

/// `member . face`, in eight lanes: one running sum is a chain of additions the compiler may
/// not reorder, so it would not use vector instructions: a probe's pass over the 16 px cohort
/// took 0.66 ms that way, 0.29 in lanes (`cargo bench --bench hot_paths -- identify`, x86-64).
fn dot(member: &[i8], face: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let (members, faces) = (member.chunks_exact(8), face.chunks_exact(8));
    let rest: f32 = members
        .remainder()
        .iter()
        .zip(faces.remainder())
        .map(|(&m, x)| f32::from(m) * x)
        .sum();
    for (m, x) in members.zip(faces) {
        for k in 0..8 {
            lanes[k] += f32::from(m[k]) * x[k];
        }
    }
    lanes.iter().sum::<f32>() + rest
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cohort file of `members` (each made unit length and quantised as the forge does).
    fn file(members: &[Vec<f32>]) -> Vec<u8> {
        let dims = members[0].len();
        let mut bytes = MAGIC.to_vec();
        bytes.extend((members.len() as u32).to_le_bytes());
        bytes.extend((dims as u32).to_le_bytes());
        let mut values = Vec::new();
        for m in members {
            let norm = m.iter().map(|x| x * x).sum::<f32>().sqrt();
            let top = m.iter().map(|x| (x / norm).abs()).fold(0.0, f32::max);
            bytes.extend((top / 127.0).to_le_bytes());
            values.extend(
                m.iter()
                    .map(|x| ((x / norm) / top * 127.0).round() as i8 as u8),
            );
        }
        bytes.extend(values);
        bytes
    }

    #[test]
    fn a_face_alike_to_everyone_needs_a_higher_cosine() {
        // Cohort members near the x axis: a face on it is "common", one on y is not.
        let members = vec![
            vec![1.0, 0.1, 0.0],
            vec![1.0, -0.1, 0.0],
            vec![1.0, 0.0, 0.1],
        ];
        let cohort = Cohort::from_bytes(&file(&members), 3, 3, 2, 0.1).unwrap();
        let mut scratch = Vec::new();
        let common = cohort.spread(&[1.0, 0.0, 0.0], &mut scratch);
        let rare = cohort.spread(&[0.0, 1.0, 0.0], &mut scratch);
        assert!(common.mean > 0.9 && rare.mean < 0.2, "{common:?} {rare:?}");
        let probe = cohort.spread(&[0.6, 0.8, 0.0], &mut scratch);
        // The same cosine is worth less against the common template.
        assert!(cohort.normalise(0.6, common, probe) < cohort.normalise(0.6, rare, probe));
        assert_eq!(cohort.template_spread(&[0.0, 1.0, 0.0], &mut scratch), rare);
    }

    #[test]
    fn a_damaged_cohort_is_refused_with_what_is_wrong() {
        let bytes = file(&[vec![1.0, 0.0], vec![0.0, 1.0]]);
        let short = Cohort::from_bytes(&bytes[..bytes.len() - 1], 2, 2, 2, 0.1)
            .err()
            .unwrap();
        assert!(short.contains("not a cohort of 2 x 2"), "{short}");
        // The right size for 2 x 2, but the header says 3 x 2.
        let mut other = bytes.clone();
        other[8..12].copy_from_slice(&3u32.to_le_bytes());
        let other = Cohort::from_bytes(&other, 2, 2, 2, 0.1).err().unwrap();
        assert!(other.contains("holds 3 x 2"), "{other}");
        let mut zero = bytes.clone();
        zero[16..20].copy_from_slice(&0f32.to_le_bytes());
        assert!(Cohort::from_bytes(&zero, 2, 2, 2, 0.1).is_err());
        // A top_k past the count, or a count whose size does not fit in memory's address
        // space, is refused rather than read past or multiplied over.
        let too_many = Cohort::from_bytes(&bytes, 2, 2, 3, 0.1).err().unwrap();
        assert!(too_many.contains("top_k 3"), "{too_many}");
        assert!(Cohort::from_bytes(&bytes, usize::MAX, 2, 2, 0.1).is_err());
        assert!(Cohort::from_bytes(&bytes, 2, 2, 2, 0.0).is_err());
    }
}
