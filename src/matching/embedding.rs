//! What every embedding is, wherever it was made or stored: [`EMBEDDING_DIMS`] values of unit
//! length. EdgeFace's output is checked against it, the gallery's file holds it, and templates
//! and fused tracks are put back on it with [`l2_normalise`].

pub const EMBEDDING_DIMS: usize = 512;

/// Scales `v` to unit length; a zero or non-finite vector becomes all zeros, which matches
/// nobody.
pub fn l2_normalise(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm.is_finite() && norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    } else {
        v.iter_mut().for_each(|x| *x = 0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising_gives_unit_length_and_zero_for_degenerate() {
        let mut v = [3.0, 4.0];
        l2_normalise(&mut v);
        assert!((v[0] - 0.6).abs() < 1e-6);
        let mut bad = [f32::NAN, 1.0];
        l2_normalise(&mut bad);
        assert_eq!(bad, [0.0, 0.0]);
    }
}
