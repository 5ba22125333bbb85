//! Which face in this frame is which face of the last frames: boxes matched by overlap.

use crate::detect::FaceBox;

/// Least overlap (intersection over union) for a box to continue a track.
const MIN_IOU: f32 = 0.3;

/// Intersection over union of two boxes, 0 when they do not touch.
pub fn iou(a: &FaceBox, b: &FaceBox) -> f32 {
    let x0 = a.x.max(b.x);
    let y0 = a.y.max(b.y);
    let x1 = (a.x + a.width).min(b.x + b.width);
    let y1 = (a.y + a.height).min(b.y + b.height);
    let inter = (x1 - x0).max(0.0) * (y1 - y0).max(0.0);
    let union = a.width * a.height + b.width * b.height - inter;
    if union > 0.0 {
        inter / union
    } else {
        0.0
    }
}

/// For each of `boxes`, the index in `tracks` it continues, or `None` for a new face. Pairs
/// are taken greedily, most overlap first, each track and box at most once.
pub fn associate(tracks: &[FaceBox], boxes: &[FaceBox]) -> Vec<Option<usize>> {
    let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
    for (t, track) in tracks.iter().enumerate() {
        for (b, face) in boxes.iter().enumerate() {
            let overlap = iou(track, face);
            if overlap >= MIN_IOU {
                pairs.push((overlap, t, b));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut taken = vec![false; tracks.len()];
    let mut assigned = vec![None; boxes.len()];
    for (_, t, b) in pairs {
        if !taken[t] && assigned[b].is_none() {
            taken[t] = true;
            assigned[b] = Some(t);
        }
    }
    assigned
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_of_boxes() {
        assert!(
            (iou(
                &FaceBox::square(0.0, 0.0, 10.0),
                &FaceBox::square(0.0, 0.0, 10.0)
            ) - 1.0)
                .abs()
                < 1e-6
        );
        assert!(
            (iou(
                &FaceBox::square(0.0, 0.0, 10.0),
                &FaceBox::square(5.0, 0.0, 10.0)
            ) - 50.0 / 150.0)
                .abs()
                < 1e-6
        );
        assert_eq!(
            iou(
                &FaceBox::square(0.0, 0.0, 10.0),
                &FaceBox::square(20.0, 0.0, 10.0)
            ),
            0.0
        );
    }

    #[test]
    fn each_box_continues_the_track_it_overlaps_most() {
        let tracks = [
            FaceBox::square(0.0, 0.0, 50.0),
            FaceBox::square(200.0, 0.0, 50.0),
        ];
        let boxes = [
            FaceBox::square(205.0, 2.0, 50.0),
            FaceBox::square(400.0, 0.0, 50.0),
            FaceBox::square(3.0, 1.0, 50.0),
        ];
        assert_eq!(associate(&tracks, &boxes), vec![Some(1), None, Some(0)]);
        // Two boxes on one track: only the closer one continues it.
        let boxes = [
            FaceBox::square(10.0, 0.0, 50.0),
            FaceBox::square(1.0, 0.0, 50.0),
        ];
        assert_eq!(associate(&tracks[..1], &boxes), vec![None, Some(0)]);
    }
}
