//! One frame at a time: detect, align, shrink to the VLR size, super-resolve, embed, match.
//! The pipeline owns every buffer of the per-frame path and reuses them frame after frame.

mod locator;

use crate::align::{self, AreaScratch, BicubicPlan, Landmarks, FACE_SIZE};
use crate::config::Config;
use crate::detect::{DetectError, FaceBox};
use crate::frame::Frame;
use crate::gallery::Gallery;
use crate::matching::{MatchResult, Path};
use crate::metrics::{StageTimings, Stopwatch};
use crate::models::{
    planar_len, planar_to_rgb, rgb_to_planar, ModelError, Models, SecondPathEntry,
};
use crate::resolution::{ResChoice, Resolution};

pub use locator::{FaceLocator, Located};

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Detect(#[from] DetectError),
}

/// How the VLR face gets back to 112 px.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upscaler {
    Dsr,
    /// The baseline the DSR must beat.
    Bicubic,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchMode {
    /// 1:N against everyone.
    Identify,
    /// 1:1 against the person with this id: an id, not a list position, so removing someone
    /// above them never switches whom a probe is verified against.
    Verify(String),
}

/// Everything one frame produced; owned by the pipeline and overwritten by the next frame.
#[derive(Debug, Clone)]
pub struct FrameOutput {
    pub res: Resolution,
    /// The face processed, if any.
    pub face: Option<FaceBox>,
    pub faces_found: usize,
    pub landmarks: Option<Landmarks>,
    /// The side, in frame pixels, of the face's own aligned crop (see [`align::native_side`]);
    /// 0 before landmarks are found.
    pub native: f32,
    /// Whether `vlr` is the face's own pixels (`auto`) or a larger face shrunk to `res`.
    pub own_pixels: bool,
    /// At `auto`: the face has under 16 px of its own, too few to tell who it is; nothing
    /// was embedded or matched.
    pub too_small: bool,
    /// The 112x112 face aligned onto the template.
    pub aligned: Frame,
    /// The face at `res`: the aligned face shrunk, or, on the native path, aligned at `res`.
    pub vlr: Frame,
    /// The DSR (or bicubic) output at 112x112.
    pub upscaled: Frame,
    /// Unit-length embedding of `upscaled`.
    pub embedding: Vec<f32>,
    /// For a face of its own pixels at a resolution with a second path
    /// ([`Models::second_path`]): that path's resolution, and in `second_embedding` the face's
    /// embedding through it. `None` otherwise.
    pub second: Option<Resolution>,
    pub second_embedding: Vec<f32>,
    pub matched: MatchResult,
    pub timings: StageTimings,
}

pub struct Pipeline {
    locator: FaceLocator,
    models: Models,
    area: AreaScratch,
    upscaled_planar: Vec<f32>,
    bicubic: [BicubicPlan; 3],
    bicubic_rows: Vec<f32>,
    /// The second path's face at its resolution, reused.
    second_vlr: Frame,
    output: FrameOutput,
}

impl Pipeline {
    pub fn new(config: &Config) -> Result<Pipeline, PipelineError> {
        let locator = FaceLocator::load(config)?;
        let models = Models::load(&config.models_dir, config.threads)?;
        Ok(Pipeline::from_parts(locator, models))
    }

    pub fn from_parts(locator: FaceLocator, models: Models) -> Pipeline {
        Pipeline {
            locator,
            models,
            area: AreaScratch::default(),
            upscaled_planar: Vec::new(),
            bicubic: Resolution::ALL.map(|r| BicubicPlan::new(r.px(), FACE_SIZE)),
            bicubic_rows: Vec::new(),
            second_vlr: Frame::new(0, 0),
            output: FrameOutput {
                res: Resolution::R16,
                face: None,
                faces_found: 0,
                landmarks: None,
                native: 0.0,
                own_pixels: false,
                too_small: false,
                aligned: Frame::new(FACE_SIZE, FACE_SIZE),
                vlr: Frame::new(0, 0),
                upscaled: Frame::new(FACE_SIZE, FACE_SIZE),
                embedding: Vec::new(),
                second: None,
                second_embedding: Vec::new(),
                matched: MatchResult::default(),
                timings: StageTimings::default(),
            },
        }
    }

    pub fn models(&self) -> &Models {
        &self.models
    }

    pub fn models_mut(&mut self) -> &mut Models {
        &mut self.models
    }

    pub fn locator(&mut self) -> &mut FaceLocator {
        &mut self.locator
    }

    pub fn output(&self) -> &FrameOutput {
        &self.output
    }

    /// The manifest's threshold for `mode`: the 1:N one to identify, the 1:1 one to verify.
    pub fn threshold_for(&self, res: Resolution, mode: &MatchMode) -> f32 {
        match mode {
            MatchMode::Identify => self.models.threshold(res),
            MatchMode::Verify(_) => self.models.verify_threshold(res),
        }
    }

    /// The threshold a face at `res` is decided at: [`Pipeline::threshold_for`], or for a
    /// face taken by its own pixels (`auto`) where `res` has a second path, that path's.
    pub fn decided_at(&self, res: Resolution, mode: &MatchMode, own_pixels: bool) -> f32 {
        match self.models.second_path(res).filter(|_| own_pixels) {
            Some(second) => match mode {
                MatchMode::Identify => second.threshold,
                MatchMode::Verify(_) => second.verify_threshold,
            },
            None => self.threshold_for(res, mode),
        }
    }

    /// The whole per-frame path on the frame's subject ([`crate::detect::subject`]). `threshold` overrides the manifest's for
    /// the resolution used and `mode`.
    pub fn process(
        &mut self,
        frame: &Frame,
        res: impl Into<ResChoice>,
        gallery: &Gallery,
        mode: &MatchMode,
        threshold: Option<f32>,
    ) -> Result<&FrameOutput, PipelineError> {
        let mut clock = Stopwatch::start();
        let face = self.detect(frame)?;
        let detect = clock.lap();
        let res = res.into();
        let Some(face) = face else {
            if let ResChoice::Fixed(res) = res {
                self.output.res = res;
            }
            self.output.too_small = false;
            self.output.timings = StageTimings::default();
            self.output.matched.top.clear();
            self.output.matched.accepted = None;
            self.output.embedding.clear();
            self.output.second = None;
            self.output.timings.detect = detect;
            self.output.timings.total = clock.total();
            return Ok(&self.output);
        };
        self.identify_face(frame, &face, res, gallery, mode, threshold)?;
        clock.lap();
        self.output.timings.detect = detect;
        self.output.timings.total = clock.total();
        Ok(&self.output)
    }

    /// [`Pipeline::embed_face_as`], then matching against `gallery`: one face of a frame with
    /// several (`identify` names each of them). A face too small to tell is matched with
    /// nobody (`too_small`).
    pub fn identify_face(
        &mut self,
        frame: &Frame,
        face: &FaceBox,
        choice: ResChoice,
        gallery: &Gallery,
        mode: &MatchMode,
        threshold: Option<f32>,
    ) -> Result<&FrameOutput, PipelineError> {
        self.output.timings = StageTimings::default();
        self.output.matched.top.clear();
        self.output.matched.accepted = None;
        let Some(res) = self.embed_face_as(frame, face, choice)? else {
            self.output.too_small = true;
            return Ok(&self.output);
        };
        self.output.too_small = false;
        let mut clock = Stopwatch::start();
        let second = self.output.second.and(self.models.second_path(res));
        if let Some(second) = second {
            self.match_two_paths(res, second, gallery, mode, threshold);
        } else {
            self.match_one_path(res, gallery, mode, threshold);
        }
        let query = &self.output.embedding;
        self.output
            .matched
            .refuse(query, |person| gallery.not_embeddings(person, res));
        self.output.timings.matching = clock.lap();
        Ok(&self.output)
    }

    /// Matches `output.embedding`, made at `res`, against `gallery`.
    fn match_one_path(
        &mut self,
        res: Resolution,
        gallery: &Gallery,
        mode: &MatchMode,
        threshold: Option<f32>,
    ) {
        let threshold = threshold.unwrap_or_else(|| self.threshold_for(res, mode));
        let query = &self.output.embedding;
        let mut people = gallery.embeddings(res, self.models.fingerprint(res));
        match mode {
            MatchMode::Identify => {
                let cohort = self.models.cohort(res);
                self.output
                    .matched
                    .identify(query, people, threshold, cohort)
            }
            MatchMode::Verify(id) => {
                let person = gallery.find_id(id);
                self.output.matched.threshold = threshold;
                if let Some((index, embedding)) = people.find(|(i, _)| Some(*i) == person) {
                    self.output
                        .matched
                        .verify(query, index, embedding, threshold);
                }
            }
        }
    }

    /// Matches a face with a second path on both ([`crate::matching::combine_paths`]): in
    /// 1:N against everyone, normalised against each path's cohort; in 1:1 the cosines
    /// against the person's two templates. `threshold` overrides the manifest's for the
    /// combined score.
    fn match_two_paths(
        &mut self,
        res: Resolution,
        entry: SecondPathEntry,
        gallery: &Gallery,
        mode: &MatchMode,
        threshold: Option<f32>,
    ) {
        let (models, second) = (&self.models, entry.res);
        let out = &mut self.output;
        let people = |r: Resolution| gallery.embeddings(r, models.fingerprint(r));
        match mode {
            MatchMode::Identify => out.matched.identify_two(
                Path {
                    query: &out.embedding,
                    people: people(res),
                    threshold: models.threshold(res),
                    cohort: models.cohort(res),
                },
                Path {
                    query: &out.second_embedding,
                    people: people(second),
                    threshold: models.threshold(second),
                    cohort: models.cohort(second),
                },
                threshold.unwrap_or(entry.threshold),
            ),
            MatchMode::Verify(id) => {
                let person = gallery.find_id(id);
                let only = |r: Resolution| people(r).filter(move |(i, _)| Some(*i) == person);
                out.matched.identify_two(
                    Path {
                        query: &out.embedding,
                        people: only(res),
                        threshold: models.verify_threshold(res),
                        cohort: None,
                    },
                    Path {
                        query: &out.second_embedding,
                        people: only(second),
                        threshold: models.verify_threshold(second),
                        cohort: None,
                    },
                    threshold.unwrap_or(entry.verify_threshold),
                )
            }
        }
    }

    /// One face of `frame` that the caller located (see [`FaceLocator::detect_all`]): its
    /// landmarks, alignment, VLR downscale, upscale and embedding land in
    /// [`Pipeline::output`], with the align, DSR and EdgeFace stage times.
    pub fn embed_face(
        &mut self,
        frame: &Frame,
        face: &FaceBox,
        res: Resolution,
    ) -> Result<&FrameOutput, PipelineError> {
        let mut clock = Stopwatch::start();
        self.output.res = res;
        self.output.face = Some(*face);
        self.align_to_template(frame, face)?;
        let landmarks_and_warp = clock.lap();
        let (downscale, dsr, edgeface) = self.embed_current(res, Upscaler::Dsr, &mut clock)?;
        let timings = &mut self.output.timings;
        timings.align = landmarks_and_warp + downscale;
        timings.dsr = dsr;
        timings.edgeface = edgeface;
        Ok(&self.output)
    }

    /// [`Pipeline::embed_face`] at the resolution `choice` gives. `auto` takes the largest
    /// resolution the face has and, for a face smaller than the template, aligns it straight
    /// at that size (its own pixels). Returns the resolution used, or `None` when the face is
    /// below 16 px of its own: too small to tell (only `landmarks` and `native` are filled).
    pub fn embed_face_as(
        &mut self,
        frame: &Frame,
        face: &FaceBox,
        choice: ResChoice,
    ) -> Result<Option<Resolution>, PipelineError> {
        match choice {
            ResChoice::Fixed(res) => {
                self.embed_face(frame, face, res)?;
                Ok(Some(res))
            }
            ResChoice::Native => self.embed_own_pixels(frame, face, Upscaler::Dsr),
        }
    }

    /// The `auto` path of [`Pipeline::embed_face_as`], with either upscaler.
    pub fn embed_own_pixels(
        &mut self,
        frame: &Frame,
        face: &FaceBox,
        upscaler: Upscaler,
    ) -> Result<Option<Resolution>, PipelineError> {
        self.embed_own_pixels_with(frame, face, upscaler, Resolution::fitting)
    }

    /// The `auto` path, where `pick` chooses the resolution from the face's native size (a
    /// tracker holds on to the one it has near a boundary); `pick` must not choose more
    /// than [`Resolution::fitting`] would allow by much.
    pub fn embed_own_pixels_with(
        &mut self,
        frame: &Frame,
        face: &FaceBox,
        upscaler: Upscaler,
        pick: impl FnOnce(f32) -> Option<Resolution>,
    ) -> Result<Option<Resolution>, PipelineError> {
        let mut clock = Stopwatch::start();
        self.output.timings = StageTimings::default();
        self.output.face = Some(*face);
        self.output.second = None;
        let landmarks = self.align_to_template(frame, face)?;
        let Some(res) = pick(self.output.native) else {
            self.output.embedding.clear();
            self.output.timings.align = clock.lap();
            return Ok(None);
        };
        self.output.res = res;
        let (dsr, edgeface) = if self.output.native < FACE_SIZE as f32 {
            align::align_face_at(frame, &landmarks, res.px(), &mut self.output.vlr);
            self.output.own_pixels = true;
            self.output.timings.align = clock.lap();
            let (mut dsr, mut edgeface) = self.upscale_and_embed(res, upscaler, &mut clock)?;
            if let (Some(second), Upscaler::Dsr) = (self.models.second_path(res), upscaler) {
                let (more_dsr, more_edgeface) =
                    self.embed_second_path(frame, &landmarks, second.res, &mut clock)?;
                dsr += more_dsr;
                edgeface += more_edgeface;
            }
            (dsr, edgeface)
        } else {
            let align = clock.lap();
            let (downscale, dsr, edgeface) = self.embed_current(res, upscaler, &mut clock)?;
            self.output.timings.align = align + downscale;
            (dsr, edgeface)
        };
        self.output.timings.dsr = dsr;
        self.output.timings.edgeface = edgeface;
        Ok(Some(res))
    }

    /// Detects the frame's subject and aligns it; `None` when there is no face.
    pub fn align(&mut self, frame: &Frame) -> Result<Option<&FrameOutput>, PipelineError> {
        Ok(self.locate_and_align(frame)?.then_some(&self.output))
    }

    /// Embeds an already aligned 112 face at `res`; the VLR, upscaled face and embedding land
    /// in [`Pipeline::output`].
    pub fn embed_aligned(
        &mut self,
        aligned: &Frame,
        res: Resolution,
        upscaler: Upscaler,
    ) -> Result<&FrameOutput, PipelineError> {
        self.output.aligned.clone_from(aligned);
        let mut clock = Stopwatch::start();
        self.output.res = res;
        self.embed_current(res, upscaler, &mut clock)?;
        Ok(&self.output)
    }

    /// Embeds an aligned 112 face as it is, not shrunk, with `res`'s EdgeFace: the other half
    /// of an enrolled face's part in a template ([`crate::matching::template`]). Only the
    /// embedding lands in [`Pipeline::output`].
    pub fn embed_full(
        &mut self,
        aligned: &Frame,
        res: Resolution,
    ) -> Result<&[f32], PipelineError> {
        self.upscaled_planar.resize(planar_len(aligned), 0.0);
        rgb_to_planar(aligned, 0.0, 1.0, &mut self.upscaled_planar);
        let out = &mut self.output;
        self.models
            .edgeface(res)
            .embed(&self.upscaled_planar, &mut out.embedding)?;
        Ok(&out.embedding)
    }

    /// Fills `face`, `landmarks` and `aligned`; false when there is no face.
    fn locate_and_align(&mut self, frame: &Frame) -> Result<bool, PipelineError> {
        match self.detect(frame)? {
            Some(face) => self.align_to_template(frame, &face).map(|_| true),
            None => Ok(false),
        }
    }

    /// Fills `face` and `faces_found`; clears `landmarks` until they are found.
    fn detect(&mut self, frame: &Frame) -> Result<Option<FaceBox>, PipelineError> {
        let face = self.locator.detect(frame)?;
        self.output.faces_found = self.locator.faces_found();
        self.output.face = face;
        self.output.landmarks = None;
        self.output.native = 0.0;
        Ok(face)
    }

    /// Landmarks of `face`, its native size, then the warp onto the template into
    /// `output.aligned`.
    fn align_to_template(
        &mut self,
        frame: &Frame,
        face: &FaceBox,
    ) -> Result<Landmarks, PipelineError> {
        let landmarks = self.locator.landmarks(frame, face)?;
        align::align_face(frame, &landmarks, &mut self.output.aligned);
        self.output.landmarks = Some(landmarks);
        self.output.native = align::native_side(&landmarks);
        Ok(landmarks)
    }

    /// VLR downscale, upscale and embed of `output.aligned` (distance simulated); returns
    /// (downscale, dsr, edgeface) stage times.
    fn embed_current(
        &mut self,
        res: Resolution,
        upscaler: Upscaler,
        clock: &mut Stopwatch,
    ) -> Result<
        (
            std::time::Duration,
            std::time::Duration,
            std::time::Duration,
        ),
        PipelineError,
    > {
        let out = &mut self.output;
        align::downscale_to(&out.aligned, res, &mut self.area, &mut out.vlr);
        out.own_pixels = false;
        out.second = None;
        let align_time = clock.lap();
        let (dsr_time, edgeface_time) = self.upscale_and_embed(res, upscaler, clock)?;
        Ok((align_time, dsr_time, edgeface_time))
    }

    /// The second path of a face of its own pixels: aligned again at `second` from the same
    /// pixels, upscaled by that resolution's DSR and embedded by its EdgeFace into
    /// `output.second_embedding`. The first path's faces stay what the window shows. Returns
    /// (dsr, edgeface) stage times; the second alignment, a small warp, is counted in the
    /// DSR's.
    fn embed_second_path(
        &mut self,
        frame: &Frame,
        landmarks: &Landmarks,
        second: Resolution,
        clock: &mut Stopwatch,
    ) -> Result<(std::time::Duration, std::time::Duration), PipelineError> {
        align::align_face_at(frame, landmarks, second.px(), &mut self.second_vlr);
        self.models
            .dsr(second)?
            .upscale(&self.second_vlr, &mut self.upscaled_planar)?;
        let dsr_time = clock.lap();
        let out = &mut self.output;
        self.models
            .edgeface(second)
            .embed(&self.upscaled_planar, &mut out.second_embedding)?;
        out.second = Some(second);
        Ok((dsr_time, clock.lap()))
    }

    /// Upscale and embed of `output.vlr`; returns (dsr, edgeface) stage times.
    fn upscale_and_embed(
        &mut self,
        res: Resolution,
        upscaler: Upscaler,
        clock: &mut Stopwatch,
    ) -> Result<(std::time::Duration, std::time::Duration), PipelineError> {
        let out = &mut self.output;
        match upscaler {
            Upscaler::Dsr => self
                .models
                .dsr(res)?
                .upscale(&out.vlr, &mut self.upscaled_planar)?,
            Upscaler::Bicubic => {
                let side = FACE_SIZE as usize;
                self.upscaled_planar.resize(3 * side * side, 0.0);
                align::bicubic_upscale(
                    &self.bicubic[res.index()],
                    &out.vlr,
                    &mut self.bicubic_rows,
                    &mut self.upscaled_planar,
                );
            }
        }
        planar_to_rgb(&self.upscaled_planar, FACE_SIZE, &mut out.upscaled);
        let dsr_time = clock.lap();
        self.models
            .edgeface(res)
            .embed(&self.upscaled_planar, &mut out.embedding)?;
        let edgeface_time = clock.lap();
        Ok((dsr_time, edgeface_time))
    }
}
