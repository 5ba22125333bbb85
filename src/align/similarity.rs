//! 2-D similarity transforms (rotation, uniform scale, translation), fitted by least squares.

/// Maps `(x, y)` to `(a x - b y + tx, b x + a y + ty)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    pub a: f32,
    pub b: f32,
    pub tx: f32,
    pub ty: f32,
}

impl Similarity {
    /// The least-squares similarity taking `from` onto `to` (Umeyama, no reflection).
    pub fn estimate(from: &[[f32; 2]], to: &[[f32; 2]]) -> Similarity {
        let n = from.len().min(to.len()).max(1) as f32;
        let mean = |pts: &[[f32; 2]]| {
            let (sx, sy) = pts
                .iter()
                .fold((0.0, 0.0), |(x, y), p| (x + p[0], y + p[1]));
            (sx / n, sy / n)
        };
        let (fx, fy) = mean(from);
        let (tx, ty) = mean(to);
        let (mut dot, mut cross, mut norm) = (0.0f32, 0.0f32, 0.0f32);
        for (p, q) in from.iter().zip(to) {
            let (px, py) = (p[0] - fx, p[1] - fy);
            let (qx, qy) = (q[0] - tx, q[1] - ty);
            dot += px * qx + py * qy;
            cross += px * qy - py * qx;
            norm += px * px + py * py;
        }
        if norm <= f32::EPSILON {
            return Similarity {
                a: 1.0,
                b: 0.0,
                tx: tx - fx,
                ty: ty - fy,
            };
        }
        let (a, b) = (dot / norm, cross / norm);
        Similarity {
            a,
            b,
            tx: tx - (a * fx - b * fy),
            ty: ty - (b * fx + a * fy),
        }
    }

    pub fn apply(&self, [x, y]: [f32; 2]) -> [f32; 2] {
        [
            self.a * x - self.b * y + self.tx,
            self.b * x + self.a * y + self.ty,
        ]
    }

    pub fn inverse(&self) -> Similarity {
        let det = self.a * self.a + self.b * self.b;
        let (a, b) = (self.a / det, -self.b / det);
        Similarity {
            a,
            b,
            tx: -(a * self.tx - b * self.ty),
            ty: -(b * self.tx + a * self.ty),
        }
    }

    /// How much longer a distance gets under this transform.
    pub fn scale(&self) -> f32 {
        (self.a * self.a + self.b * self.b).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_known_transform_and_inverts() {
        let truth = Similarity {
            a: 0.8,
            b: 0.3,
            tx: 5.0,
            ty: -7.0,
        };
        let from = [[0.0, 0.0], [10.0, 0.0], [3.0, 9.0], [-4.0, 2.0], [7.0, 7.0]];
        let to: Vec<[f32; 2]> = from.iter().map(|p| truth.apply(*p)).collect();
        let fitted = Similarity::estimate(&from, &to);
        for (got, want) in [fitted.a, fitted.b, fitted.tx, fitted.ty]
            .iter()
            .zip([0.8, 0.3, 5.0, -7.0])
        {
            assert!((got - want).abs() < 1e-4, "{got} vs {want}");
        }
        let back = fitted.inverse().apply(fitted.apply([3.0, 4.0]));
        assert!((back[0] - 3.0).abs() < 1e-4 && (back[1] - 4.0).abs() < 1e-4);
        assert!((fitted.scale() - 0.8544).abs() < 1e-3);
    }

    #[test]
    fn degenerate_points_give_a_translation() {
        let s = Similarity::estimate(&[[1.0, 1.0]; 5], &[[3.0, 4.0]; 5]);
        assert_eq!(s.apply([1.0, 1.0]), [3.0, 4.0]);
    }
}
