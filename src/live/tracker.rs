//! Which face in this frame is which face of the last frames: boxes matched by how far they
//! moved, in face sizes.

use crate::detect::FaceBox;

/// Farthest a face's centre may move from one frame to the next, in its box's sides, and still
/// continue its track. Overlap (intersection over union at least 0.3) lost faces across the
/// room: a box of 10 to 15 px that moves a few pixels and changes size by a pixel or two
/// overlaps its last one too little, so the face got a new track every few frames and lost
/// its name meanwhile. On validation faces of 16 px of their own, the same face moved a median
/// 0.17 of its side between frames and at most 0.78 (tests/small_faces.rs plays such frames).
/// Two people's faces side by side are two sides or more apart, so with pairs taken nearest
/// first a face does not continue its neighbour's track; someone who steps into another's
/// place does, and the track's own check of each face against its template catches that
/// ([`crate::live::Track::observe`]).
const MAX_SHIFT: f32 = 1.0;
/// Most a face's box may grow or shrink from one frame to the next, as a ratio of sides (the
/// same face's box changed by at most 1.5 on those frames).
const MAX_GROWTH: f32 = 2.0;

/// How far `b` is from `a`: the distance between their centres over their mean side, or
/// `None` when that is over [`MAX_SHIFT`] or their sides differ by more than [`MAX_GROWTH`].
fn shift(a: &FaceBox, b: &FaceBox) -> Option<f32> {
    let (sa, sb) = (a.side(), b.side());
    if sa <= 0.0 || sb <= 0.0 || sa.max(sb) > MAX_GROWTH * sa.min(sb) {
        return None;
    }
    let ((ax, ay), (bx, by)) = (a.center(), b.center());
    let moved = (ax - bx).hypot(ay - by) / ((sa + sb) / 2.0);
    (moved <= MAX_SHIFT).then_some(moved)
}

/// For each of `boxes`, the index in `tracks` it continues, or `None` for a new face. Pairs
/// are taken greedily, nearest first, each track and box at most once.
pub fn associate(tracks: &[FaceBox], boxes: &[FaceBox]) -> Vec<Option<usize>> {
    let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
    for (t, track) in tracks.iter().enumerate() {
        for (b, face) in boxes.iter().enumerate() {
            if let Some(moved) = shift(track, face) {
                pairs.push((moved, t, b));
            }
        }
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
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
    use crate::detect::iou;

    #[test]
    fn each_box_continues_the_nearest_track() {
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

    #[test]
    fn a_small_face_that_moves_a_few_pixels_keeps_its_track() {
        // A face across the room: 10 px wide, 14 high, then 5 px to the side, 2 down and a
        // pixel larger. Its boxes overlap by less than 0.3, yet it is the same face.
        let before = FaceBox {
            x: 100.0,
            y: 100.0,
            width: 10.0,
            height: 14.0,
            score: 1.0,
        };
        let after = FaceBox {
            x: 105.0,
            y: 102.0,
            width: 11.0,
            height: 15.0,
            score: 1.0,
        };
        assert!(iou(&before, &after) < 0.3);
        assert_eq!(associate(&[before], &[after]), vec![Some(0)]);
        // A face twice its side away, or of three times its size, is another face.
        let beside = FaceBox { x: 130.0, ..before };
        let larger = FaceBox {
            width: 30.0,
            height: 42.0,
            ..before
        };
        assert_eq!(associate(&[before], &[beside]), vec![None]);
        assert_eq!(associate(&[before], &[larger]), vec![None]);
    }
}
