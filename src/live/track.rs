//! One face followed across frames: a quality-weighted template of its last good frames, and
//! what the app says about it. A name needs the fused score above the threshold, most of the
//! recent frames voting for that person on their own, and the same person leading for
//! several frames in a row; once named, a short dip keeps the name and a long one loses it.
//! Nothing is decided from one frame.
//!
//! The vote is what keeps look-alikes out: fusing frames averages noise away, so a stranger
//! who consistently resembles someone enrolled climbs over a threshold chosen for single
//! probes (Tony Blair's photos, closest to David Beckham at 0.18-0.32 per frame at 24 px, were
//! named after four frames), while single frames pass only now and then.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::detect::FaceBox;
use crate::frame::Frame;
use crate::matching::{combine_paths, cosine, l2_normalise};
use crate::resolution::Resolution;

/// Frames the fused template is made of.
const TEMPLATE_FRAMES: usize = 8;
/// Good frames a track needs before anything is said about who it is.
const MIN_FRAMES: usize = 3;
/// Consecutive frames the same person must lead, above the threshold, to be named.
const CONFIRM_FRAMES: u32 = 3;
/// Fewest frames of the template that must, on their own, name the person.
const MIN_VOTES: usize = 3;
/// Frames a named track keeps its name while the evidence dips.
const DIP_FRAMES: u32 = 5;
/// How soon the same track, still unknown, is reported as a stranger again.
const UNKNOWN_AGAIN: Duration = Duration::from_secs(60);
/// Frames in a row that disagree with the track's own template (see [`Track::observe`]) that
/// mean the person in this place changed: the track starts over rather than lend its name to
/// whoever stepped in.
const SWITCH_FRAMES: u32 = 2;

/// What the app says about a face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// Gallery index and fused score.
    Named {
        person: usize,
        score: f32,
    },
    Unknown,
    /// Too small for the resolution, blurred or turned too far to tell, or not seen enough.
    CantTell(Reason),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    TooSmall,
    Blurred,
    Turned,
    TooFewFrames,
    /// This frame's face disagrees with the track's own template: maybe someone else
    /// stepped into this place. Nobody's name is shown until the next frame tells.
    Checking,
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Reason::TooSmall => "face too small",
            Reason::Blurred => "blurred",
            Reason::Turned => "turned away",
            Reason::TooFewFrames => "not seen long enough",
            Reason::Checking => "checking",
        })
    }
}

pub struct Track {
    pub id: u64,
    pub face: FaceBox,
    /// Frames since this track was last matched to a detection.
    pub missed: u32,
    pub verdict: Verdict,
    /// The fused template's best candidates, best first: (gallery index, score).
    pub top: Vec<(usize, f32)>,
    /// The latest good frame's VLR face and its upscaled version, for the window, and its
    /// aligned 112 px face, for marking it as not the person named ("not X").
    pub vlr: Frame,
    pub upscaled: Frame,
    pub aligned: Frame,
    /// Per good frame: its embedding, its quality weight, and whom it names on its own.
    history: VecDeque<Sample>,
    fused: Vec<f32>,
    fused_second: Vec<f32>,
    leader: Option<usize>,
    streak: u32,
    dip: u32,
    disagreements: u32,
    /// Whether the latest good frame disagreed with the template (see [`Track::observe`]).
    checking: bool,
    /// Decisions in a row that said unknown, and when the track was last reported so.
    unknown_streak: u32,
    unknown_told: Option<Instant>,
    /// The verdict last reported as an event.
    reported: Verdict,
    /// The verdict before the frame held aside, while the verdict is "checking".
    held: Verdict,
    /// Why the latest frame was not used, if it was not.
    pub latest_problem: Option<Reason>,
    /// The resolution the template is made at (at `auto`, the face's own, which changes as
    /// the person comes closer); `None` before the first good frame.
    pub res: Option<Resolution>,
    /// The face's own size, in pixels of its aligned crop (see `align::native_side`).
    pub native: f32,
}

/// One usable frame of a track.
struct Sample {
    embedding: Vec<f32>,
    /// Its second path's embedding, empty when it has none.
    second: Vec<f32>,
    weight: f32,
    vote: Option<usize>,
}

/// The quality-weighted mean of each sample's `part`, unit length, into `out` (empty when
/// the samples' parts are).
fn fuse(history: &VecDeque<Sample>, part: impl Fn(&Sample) -> &Vec<f32>, out: &mut Vec<f32>) {
    let dims = history.front().map_or(0, |f| part(f).len());
    out.clear();
    out.resize(dims, 0.0);
    for frame in history {
        for (f, e) in out.iter_mut().zip(part(frame)) {
            *f += frame.weight * e;
        }
    }
    l2_normalise(out);
}

/// The 1:1 rule a frame is held to against its own track's template (see
/// [`Track::observe`]): the resolution's 1:1 threshold and, where its faces are decided on two
/// paths, the second path's and the two paths' together ([`combine_paths`]). The two paths
/// together tell a face from another better than the first alone, so the same person's frames
/// are held aside less often (docs/distance.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SameFace {
    pub threshold: f32,
    /// The second path's own 1:1 threshold, and the combined score's.
    pub second: Option<(f32, f32)>,
}

impl SameFace {
    pub fn one_path(threshold: f32) -> SameFace {
        SameFace {
            threshold,
            second: None,
        }
    }
}

impl Track {
    pub fn new(id: u64, face: FaceBox) -> Track {
        Track {
            id,
            face,
            missed: 0,
            verdict: Verdict::CantTell(Reason::TooFewFrames),
            top: Vec::new(),
            vlr: Frame::new(0, 0),
            upscaled: Frame::new(0, 0),
            aligned: Frame::new(0, 0),
            history: VecDeque::with_capacity(TEMPLATE_FRAMES),
            fused: Vec::new(),
            fused_second: Vec::new(),
            leader: None,
            streak: 0,
            dip: 0,
            disagreements: 0,
            checking: false,
            unknown_streak: 0,
            unknown_told: None,
            reported: Verdict::CantTell(Reason::TooFewFrames),
            held: Verdict::CantTell(Reason::TooFewFrames),
            latest_problem: None,
            res: None,
            native: 0.0,
        }
    }

    /// The verdict last reported and the current one, marking the current one reported. A
    /// frame held aside ("checking") changes nothing yet: the next frame tells whether the
    /// same face is back (nothing to report) or someone else is there (the name goes then).
    /// Reported at once, each such frame sent a door's listeners "unnamed" and "named" again.
    pub fn report(&mut self) -> (Verdict, Verdict) {
        if self.verdict == Verdict::CantTell(Reason::Checking) {
            return (self.reported, self.reported);
        }
        let before = std::mem::replace(&mut self.reported, self.verdict);
        (before, self.verdict)
    }

    /// Whom the track was last reported as (see [`Track::report`]): the name its listeners
    /// know it by, which a frame held aside does not change.
    pub fn reported_person(&self) -> Option<usize> {
        match self.reported {
            Verdict::Named { person, .. } => Some(person),
            _ => None,
        }
    }

    /// Adds one good frame's embedding with its quality weight (in (0, 1]) and whom it names
    /// on its own (`vote`: its best candidate, if over the 1:N threshold). A frame that fails
    /// `same_face` against the track's own template (the 1:1 rule: the same person rarely
    /// fails it), or, once the track is named, does not on its own come near naming that
    /// person (`near_name`) or names someone else outright (right after a frame held aside,
    /// it must name them outright: `vote`), is held aside, and the track says "checking" at
    /// that very frame, never the name its template had; a second in a row starts the track
    /// over from it.
    /// `second` is the frame's embedding on its second path, empty when it has none.
    pub fn observe(
        &mut self,
        (embedding, second): (&[f32], &[f32]),
        weight: f32,
        (vote, near_name): (Option<usize>, impl Fn(usize) -> bool),
        same_face: SameFace,
    ) {
        self.checking = false;
        let named = match self.standing() {
            Verdict::Named { person, .. } => Some(person),
            _ => None,
        };
        // The name's own evidence: near it, naming nobody else outright (another enrolled
        // person stepping in passed both checks now and then at 16 px), and after a frame
        // held aside, naming it outright (a stranger who failed the check once passed it the
        // next frame now and then). A track named before its resolution changed has no
        // template yet to hold the face to, so this is all it has then.
        let fits = match named {
            Some(person) if self.disagreements > 0 => vote == Some(person),
            Some(person) => near_name(person) && vote.is_none_or(|v| v == person),
            None => true,
        };
        let same =
            fits && (self.frames() < MIN_FRAMES || self.agrees((embedding, second), same_face));
        if !same {
            self.disagreements += 1;
            if self.disagreements < SWITCH_FRAMES {
                self.checking = true;
                return;
            }
            self.start_over();
        } else {
            self.disagreements = 0;
        }
        let (mut first, mut other) = if self.history.len() == TEMPLATE_FRAMES {
            self.history
                .pop_front()
                .map(|f| (f.embedding, f.second))
                .unwrap_or_default()
        } else {
            Default::default()
        };
        first.clear();
        first.extend_from_slice(embedding);
        other.clear();
        other.extend_from_slice(second);
        self.history.push_back(Sample {
            embedding: first,
            second: other,
            weight,
            vote,
        });
    }

    /// Whether a frame's face passes `rule` against the track's template: on both paths
    /// where the rule and the frame and template have a second, else on the first alone.
    fn agrees(&mut self, (embedding, second): (&[f32], &[f32]), rule: SameFace) -> bool {
        let (fused, fused_second) = self.fused_both();
        let first = cosine(fused, embedding);
        match rule.second {
            Some((threshold, together))
                if !second.is_empty() && fused_second.len() == second.len() =>
            {
                let other = cosine(fused_second, second);
                combine_paths(first, rule.threshold, other, threshold) >= together
            }
            _ => first >= rule.threshold,
        }
    }

    /// Starts the template again at `res`: embeddings made at another resolution (by other
    /// networks) do not mix. The verdict stands and, if it is a name, lives through the
    /// frames the new template needs as through any dip.
    pub fn change_res(&mut self, res: Resolution) {
        if self.res != Some(res) {
            self.history.clear();
            self.leader = None;
            self.streak = 0;
            self.disagreements = 0;
            self.res = Some(res);
        }
    }

    /// Whether this decision makes the track a stranger worth reporting: unknown for as many
    /// decisions in a row as a name needs to be confirmed, and not reported in the last
    /// [`UNKNOWN_AGAIN`]. Call once per decision.
    pub fn tell_unknown(&mut self) -> bool {
        if self.verdict != Verdict::Unknown {
            self.unknown_streak = 0;
            return false;
        }
        self.unknown_streak += 1;
        let due = self
            .unknown_told
            .is_none_or(|told| told.elapsed() >= UNKNOWN_AGAIN);
        if self.unknown_streak >= CONFIRM_FRAMES && due {
            self.unknown_told = Some(Instant::now());
            return true;
        }
        false
    }

    /// Whether the track is a stranger as last reported: unknown, and told so (a frame held
    /// aside does not change it).
    pub fn is_stranger(&self) -> bool {
        self.reported == Verdict::Unknown && self.unknown_told.is_some()
    }

    /// Frames of the template that name `person` on their own.
    fn votes(&self, person: usize) -> usize {
        self.history
            .iter()
            .filter(|f| f.vote == Some(person))
            .count()
    }

    /// Forgets the template and the decision: someone else is in this place now.
    fn start_over(&mut self) {
        self.history.clear();
        self.leader = None;
        self.streak = 0;
        self.dip = 0;
        self.disagreements = 0;
        self.verdict = Verdict::CantTell(Reason::TooFewFrames);
    }

    /// The quality-weighted mean of the recent embeddings, unit length.
    pub fn fused(&mut self) -> &[f32] {
        fuse(&self.history, |f| &f.embedding, &mut self.fused);
        &self.fused
    }

    /// [`Track::fused`], and the same of the frames' second-path embeddings (empty when
    /// they have none).
    pub fn fused_both(&mut self) -> (&[f32], &[f32]) {
        fuse(&self.history, |f| &f.embedding, &mut self.fused);
        fuse(&self.history, |f| &f.second, &mut self.fused_second);
        (&self.fused, &self.fused_second)
    }

    pub fn frames(&self) -> usize {
        self.history.len()
    }

    /// The verdict the track stands by: the current one, or the one before a frame held
    /// aside while the verdict is "checking" (the name a track had is still its name to
    /// defend, and a dip after the frame held aside is still a dip).
    fn standing(&self) -> Verdict {
        match self.verdict {
            Verdict::CantTell(Reason::Checking) => self.held,
            verdict => verdict,
        }
    }

    /// Updates the verdict from the fused template's best candidate this frame (`None`
    /// when nobody is enrolled or no good frame has come yet). While the latest frame holds
    /// a face that disagrees with the template, the verdict is "checking" and the count
    /// towards a name waits: the template speaks for the frames before, not this face.
    pub fn decide(&mut self, best: Option<(usize, f32)>, threshold: f32) {
        if self.checking {
            self.held = self.standing();
            self.verdict = Verdict::CantTell(Reason::Checking);
            return;
        }
        let passing = best.filter(|(_, score)| *score >= threshold);
        match passing {
            Some((person, _)) if self.leader == Some(person) => self.streak += 1,
            Some((person, _)) => {
                self.leader = Some(person);
                self.streak = 1;
            }
            None => {
                self.leader = None;
                self.streak = 0;
            }
        }
        let votes = passing.map_or(0, |(person, _)| self.votes(person));
        let confirmed = self.frames() >= MIN_FRAMES
            && self.streak >= CONFIRM_FRAMES
            && votes >= MIN_VOTES
            && 2 * votes > self.frames();
        self.verdict = match (self.standing(), passing) {
            // Confirmed: named (or renamed, when someone else now leads this well).
            (_, Some((person, score))) if confirmed => {
                self.dip = 0;
                Verdict::Named { person, score }
            }
            // Still the same person above the threshold, not yet confirmed again after a
            // switch: the name holds.
            (Verdict::Named { person, .. }, Some((p, score))) if p == person => {
                self.dip = 0;
                Verdict::Named { person, score }
            }
            (Verdict::Named { person, score }, _) if self.dip < DIP_FRAMES => {
                self.dip += 1;
                Verdict::Named { person, score }
            }
            _ if self.frames() < MIN_FRAMES => {
                Verdict::CantTell(self.latest_problem.unwrap_or(Reason::TooFewFrames))
            }
            _ => Verdict::Unknown,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face() -> FaceBox {
        FaceBox {
            x: 0.0,
            y: 0.0,
            width: 80.0,
            height: 80.0,
            score: 1.0,
        }
    }

    /// A frame of a face unlike the (1, 0) that `run` feeds, under the 1:1 rule `run` uses.
    fn another_face(track: &mut Track) {
        let rule = SameFace::one_path(0.2);
        track.observe((&[0.0, 1.0], &[]), 1.0, (None, |_| true), rule);
    }

    /// A frame of the (1, 0) face `run` feeds, under `run`'s 1:1 rule, naming `vote` on its
    /// own and coming near every name (`near`) or none.
    fn the_same_face(track: &mut Track, vote: Option<usize>, near: bool) {
        let rule = SameFace::one_path(0.2);
        track.observe((&[1.0, 0.0], &[]), 1.0, (vote, |_| near), rule);
    }

    fn run(track: &mut Track, frames: &[Option<(usize, f32)>]) -> Vec<Verdict> {
        frames
            .iter()
            .map(|best| {
                let vote = best.filter(|(_, s)| *s >= 0.3).map(|(p, _)| p);
                the_same_face(track, vote, true);
                track.decide(*best, 0.3);
                track.verdict
            })
            .collect()
    }

    #[test]
    fn a_name_needs_several_frames_in_a_row() {
        let mut track = Track::new(1, face());
        let verdicts = run(&mut track, &[Some((2, 0.5)); 4]);
        assert!(matches!(
            verdicts[0],
            Verdict::CantTell(Reason::TooFewFrames)
        ));
        assert!(matches!(verdicts[1], Verdict::CantTell(_)));
        assert!(matches!(verdicts[2], Verdict::Named { person: 2, .. }));
        // Alternating leaders never confirm anyone.
        let mut track = Track::new(2, face());
        let flicker: Vec<_> = (0..10).map(|i| Some((i % 2, 0.5))).collect();
        assert!(run(&mut track, &flicker)
            .iter()
            .all(|v| !matches!(v, Verdict::Named { .. })));
    }

    #[test]
    fn a_short_dip_keeps_the_name_and_a_long_one_loses_it() {
        let mut track = Track::new(1, face());
        run(&mut track, &[Some((0, 0.5)); 3]);
        let dip = run(&mut track, &[None; 3]);
        assert!(dip
            .iter()
            .all(|v| matches!(v, Verdict::Named { person: 0, .. })));
        let long = run(&mut track, &[None; 5]);
        assert_eq!(long.last(), Some(&Verdict::Unknown));
    }

    #[test]
    fn a_fused_score_without_the_frames_votes_names_nobody() {
        // A look-alike: the fused template passes, but only now and then a frame alone.
        let mut track = Track::new(1, face());
        for i in 0..8 {
            let vote = (i % 3 == 0).then_some(4);
            track.observe(
                (&[1.0, 0.0], &[]),
                1.0,
                (vote, |_| true),
                SameFace::one_path(0.2),
            );
            track.decide(Some((4, 0.35)), 0.3);
        }
        assert_eq!(track.verdict, Verdict::Unknown);
    }

    #[test]
    fn below_the_threshold_is_unknown_once_seen_enough() {
        let mut track = Track::new(1, face());
        let verdicts = run(&mut track, &[Some((0, 0.2)); 5]);
        assert_eq!(verdicts.last(), Some(&Verdict::Unknown));
    }

    #[test]
    fn a_frame_that_names_someone_else_outright_is_held_aside() {
        // Another enrolled person steps into a named track's place and passes the weak 1:1
        // check against its template and comes near its name (at 16 px it can): that frame
        // names them outright, so it is no longer the track's person's.
        let mut track = Track::new(1, face());
        run(&mut track, &[Some((0, 0.5)); 4]);
        assert!(matches!(track.verdict, Verdict::Named { person: 0, .. }));
        the_same_face(&mut track, Some(1), true);
        track.decide(Some((0, 0.45)), 0.3);
        assert_eq!(track.verdict, Verdict::CantTell(Reason::Checking));
        // The person's own frames after it keep the name.
        let back = run(&mut track, &[Some((0, 0.5)); 2]);
        assert!(back
            .iter()
            .all(|v| matches!(v, Verdict::Named { person: 0, .. })));
    }

    #[test]
    fn someone_else_in_the_same_place_starts_the_track_over() {
        let mut track = Track::new(1, face());
        run(&mut track, &[Some((0, 0.5)); 4]);
        assert!(matches!(track.verdict, Verdict::Named { person: 0, .. }));
        // One odd frame is held aside, out of the template, and the name is not shown for it...
        another_face(&mut track);
        assert_eq!(track.frames(), 4);
        track.decide(Some((0, 0.5)), 0.3);
        assert_eq!(track.verdict, Verdict::CantTell(Reason::Checking));
        // ...two in a row are another person: no name, and a template of them alone.
        another_face(&mut track);
        assert_eq!(track.frames(), 1);
        assert_eq!(track.verdict, Verdict::CantTell(Reason::TooFewFrames));
    }

    #[test]
    fn one_odd_frame_hides_the_name_and_the_same_face_back_restores_it() {
        let mut track = Track::new(1, face());
        run(&mut track, &[Some((0, 0.5)); 4]);
        another_face(&mut track);
        track.decide(Some((0, 0.5)), 0.3);
        assert_eq!(track.verdict, Verdict::CantTell(Reason::Checking));
        // The same person again: named at once, the count having waited, not restarted.
        let back = run(&mut track, &[Some((0, 0.5))]);
        assert!(
            matches!(back[0], Verdict::Named { person: 0, .. }),
            "{back:?}"
        );
        // A frame with no face at all is a dip, not a different face: the name holds.
        track.decide(None, 0.3);
        assert!(matches!(track.verdict, Verdict::Named { person: 0, .. }));
    }

    #[test]
    fn the_template_is_weighted_by_quality() {
        let mut track = Track::new(1, face());
        track.observe(
            (&[1.0, 0.0], &[]),
            1.0,
            (None, |_| true),
            SameFace::one_path(-1.0),
        );
        track.observe(
            (&[0.0, 1.0], &[]),
            0.25,
            (None, |_| true),
            SameFace::one_path(-1.0),
        );
        let fused = track.fused().to_vec();
        assert!(fused[0] > 3.9 * fused[1] && fused[0] < 4.1 * fused[1]);
        for _ in 0..TEMPLATE_FRAMES {
            track.observe(
                (&[0.0, 1.0], &[]),
                1.0,
                (None, |_| true),
                SameFace::one_path(-1.0),
            );
        }
        assert_eq!(track.frames(), TEMPLATE_FRAMES);
        assert!(
            track.fused()[0].abs() < 1e-6,
            "old frames leave the template"
        );
        assert!(
            track.fused_both().1.is_empty(),
            "no second path, no template"
        );
    }

    #[test]
    fn a_second_path_gets_its_own_template_of_the_same_frames() {
        let mut track = Track::new(1, face());
        track.observe(
            (&[1.0, 0.0], &[0.0, 1.0]),
            1.0,
            (None, |_| true),
            SameFace::one_path(-1.0),
        );
        track.observe(
            (&[1.0, 0.0], &[1.0, 0.0]),
            0.25,
            (None, |_| true),
            SameFace::one_path(-1.0),
        );
        let (first, second) = track.fused_both();
        assert!((first[0] - 1.0).abs() < 1e-6);
        // Weighted as the first path's: 1 of (0, 1) and 0.25 of (1, 0).
        assert!(second[1] > 3.9 * second[0] && second[1] < 4.1 * second[0]);
    }

    #[test]
    fn a_face_on_two_paths_is_held_to_its_track_on_both() {
        // The first path alone says another face (cosine 0 < 0.2), the second says the same
        // one (1): together (0 - 0.2 + 1 - 0.2) / 2 over 0.2 passes 0.3.
        let rule = SameFace {
            threshold: 0.2,
            second: Some((0.2, 0.3)),
        };
        let mut track = Track::new(1, face());
        for _ in 0..4 {
            track.observe((&[1.0, 0.0], &[1.0, 0.0]), 1.0, (None, |_| true), rule);
        }
        track.observe((&[0.0, 1.0], &[1.0, 0.0]), 1.0, (None, |_| true), rule);
        assert_eq!(track.frames(), 5, "the frame joins the template");
        // On the first path alone the same frame is held aside...
        let mut track = Track::new(2, face());
        for _ in 0..4 {
            track.observe(
                (&[1.0, 0.0], &[1.0, 0.0]),
                1.0,
                (None, |_| true),
                SameFace::one_path(0.2),
            );
        }
        track.observe(
            (&[0.0, 1.0], &[1.0, 0.0]),
            1.0,
            (None, |_| true),
            SameFace::one_path(0.2),
        );
        assert_eq!(track.frames(), 4);
        // ...and both paths saying another face hold it aside too.
        let mut track = Track::new(3, face());
        for _ in 0..4 {
            track.observe((&[1.0, 0.0], &[1.0, 0.0]), 1.0, (None, |_| true), rule);
        }
        track.observe((&[0.0, 1.0], &[0.0, 1.0]), 1.0, (None, |_| true), rule);
        assert_eq!(track.frames(), 4);
    }

    #[test]
    fn a_frame_held_aside_reports_nothing_until_the_next_one_tells() {
        let mut track = Track::new(1, face());
        run(&mut track, &[Some((0, 0.5)); 4]);
        track.report();
        // One odd frame, then the same face: nothing to report either time.
        another_face(&mut track);
        track.decide(Some((0, 0.5)), 0.3);
        assert_eq!(track.verdict, Verdict::CantTell(Reason::Checking));
        let (before, now) = track.report();
        assert_eq!(before, now);
        run(&mut track, &[Some((0, 0.5))]);
        let (before, now) = track.report();
        assert!(matches!(
            (before, now),
            (
                Verdict::Named { person: 0, .. },
                Verdict::Named { person: 0, .. }
            )
        ));
        // Two odd frames: someone else; the name goes at the second.
        another_face(&mut track);
        track.decide(Some((0, 0.5)), 0.3);
        assert_eq!(track.report().0, track.report().1);
        another_face(&mut track);
        track.decide(None, 0.3);
        let (before, now) = track.report();
        assert!(
            matches!(before, Verdict::Named { person: 0, .. }),
            "{before:?}"
        );
        assert_eq!(now, Verdict::CantTell(Reason::TooFewFrames));
    }

    #[test]
    fn a_named_track_holds_a_frame_that_does_not_come_near_its_name() {
        let mut track = Track::new(1, face());
        run(&mut track, &[Some((0, 0.5)); 4]);
        // The same face by the template, but on its own nowhere near person 0.
        the_same_face(&mut track, None, false);
        track.decide(Some((0, 0.5)), 0.3);
        assert_eq!(track.verdict, Verdict::CantTell(Reason::Checking));
        // After that, a frame must name person 0 outright: near is not enough.
        the_same_face(&mut track, None, true);
        track.decide(Some((0, 0.5)), 0.3);
        assert_eq!(track.verdict, Verdict::CantTell(Reason::TooFewFrames));
        // One that names person 0 outright is the same face back.
        let mut track = Track::new(2, face());
        run(&mut track, &[Some((0, 0.5)); 4]);
        the_same_face(&mut track, None, false);
        track.decide(Some((0, 0.5)), 0.3);
        the_same_face(&mut track, Some(0), true);
        track.decide(Some((0, 0.5)), 0.3);
        assert!(matches!(track.verdict, Verdict::Named { person: 0, .. }));
    }

    #[test]
    fn a_dip_after_a_frame_held_aside_is_still_a_dip() {
        let mut track = Track::new(1, face());
        run(&mut track, &[Some((0, 0.5)); 4]);
        another_face(&mut track);
        track.decide(Some((0, 0.5)), 0.3);
        assert_eq!(track.verdict, Verdict::CantTell(Reason::Checking));
        // The same face back, its fused score under the threshold for a frame: the name holds.
        the_same_face(&mut track, Some(0), true);
        track.decide(Some((0, 0.25)), 0.3);
        assert!(
            matches!(track.verdict, Verdict::Named { person: 0, .. }),
            "{:?}",
            track.verdict
        );
    }
}
