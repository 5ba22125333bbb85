//! A person's template at one resolution, made by the recipe the manifest names for it
//! ([`Recipe`]): the mean of their enrolled faces shrunk to that resolution and brought back
//! by its DSR, and, where the forge found that it pays, the mean of the same faces at full
//! resolution through the same resolution's EdgeFace added to it and re-normalised.
//!
//! Why a full-resolution half: enrolled faces are near ones, probes are small. The shrunk
//! half is what the person looks like after the DSR, artefacts and all; the full-resolution
//! half is what the EdgeFace was taught to reach from a small face (the forge holds its
//! embedding of the DSR's output close to the teacher's embedding of the full-resolution
//! crop), without the detail the shrinking took away. On validation identities at 16 px (400
//! galleries of five, AS-norm, FPIR 1%) it missed enrolled people 2.68 -> 1.85% of the time
//! (three photos enrolled, 95% interval of the change over people -1.45 to -0.36 points). At
//! 24 and 32 px validation misses almost no one enrolled from three or five photos, so the
//! change stayed inside its interval there; enrolled from one photo (115 people able to be
//! members) it beat its interval at every FPIR at all three resolutions, and no interval was
//! a loss, so all three take it (docs/accuracy.md).

use serde::{Deserialize, Serialize};

use super::mean_embedding;

/// How a resolution's templates are made: the manifest's `template`, chosen by the forge
/// (`lrfr_forge/steps/s09b_template.py`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Recipe {
    /// The mean of the enrolled faces shrunk and brought back by the DSR.
    #[default]
    #[serde(rename = "shrunk")]
    Shrunk,
    /// That mean plus the mean of the same faces at full resolution through the same
    /// EdgeFace, re-normalised.
    #[serde(rename = "shrunk+full")]
    ShrunkFull,
}

impl Recipe {
    pub fn is_shrunk(&self) -> bool {
        *self == Recipe::Shrunk
    }

    /// Whether the full-resolution half is part of the template.
    pub fn uses_full(self) -> bool {
        self == Recipe::ShrunkFull
    }

    /// What the recipe adds to a resolution's model fingerprint: templates stored by another
    /// recipe are recomputed from their crops, as after a model change. The plain mean adds
    /// nothing, so galleries stored before recipes existed stay valid where it is used.
    pub fn fingerprint_part(self) -> &'static str {
        match self {
            Recipe::Shrunk => "",
            Recipe::ShrunkFull => "+shrunk+full",
        }
    }
}

/// The template of one person at one resolution, from each enrolled face's embedding after
/// shrinking (`shrunk`) and at full resolution (`full`, empty where the recipe has no such
/// half): with no full-resolution embedding it is the shrunk mean, exactly.
pub fn template<'a>(
    shrunk: impl Iterator<Item = &'a [f32]>,
    full: impl Iterator<Item = &'a [f32]>,
    dims: usize,
) -> Vec<f32> {
    let shrunk = mean_embedding(shrunk, dims);
    let mut full = full.peekable();
    if full.peek().is_none() {
        return shrunk;
    }
    let halves = [shrunk, mean_embedding(full, dims)];
    mean_embedding(halves.iter().map(Vec::as_slice), dims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_half_weighs_alike_whatever_its_count() {
        let shrunk = [vec![1.0, 0.0], vec![1.0, 0.0], vec![1.0, 0.0]];
        let full = [vec![0.0, 1.0]];
        let t = template(
            shrunk.iter().map(Vec::as_slice),
            full.iter().map(Vec::as_slice),
            2,
        );
        let half = std::f32::consts::FRAC_1_SQRT_2;
        assert!(
            (t[0] - half).abs() < 1e-6 && (t[1] - half).abs() < 1e-6,
            "{t:?}"
        );
    }

    #[test]
    fn without_a_full_half_it_is_the_shrunk_mean() {
        let shrunk = [vec![0.6, 0.8], vec![0.8, 0.6]];
        let t = template(shrunk.iter().map(Vec::as_slice), std::iter::empty(), 2);
        assert_eq!(t, mean_embedding(shrunk.iter().map(Vec::as_slice), 2));
        let none = template(std::iter::empty(), std::iter::empty(), 2);
        assert_eq!(none, vec![0.0, 0.0]);
    }

    #[test]
    fn the_manifest_names_recipes_as_the_forge_writes_them() {
        let read: Vec<Recipe> = serde_json::from_str(r#"["shrunk", "shrunk+full"]"#).unwrap();
        assert_eq!(read, [Recipe::Shrunk, Recipe::ShrunkFull]);
        assert!(serde_json::from_str::<Recipe>(r#""full""#).is_err());
        assert_eq!(Recipe::Shrunk.fingerprint_part(), "");
    }
}
