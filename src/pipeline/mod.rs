//! One frame at a time: detect, align, shrink to the VLR size, super-resolve, embed, match.
//! The pipeline owns every buffer of the per-frame path and reuses them frame after frame.

mod locator;
mod timings;

use crate::align::{self, AreaScratch, BicubicPlan, Landmarks, FACE_SIZE};
use crate::config::Config;
use crate::detect::{DetectError, FaceBox};
use crate::gallery::Gallery;
use crate::matching::MatchResult;
use crate::models::{planar_to_rgb, ModelError, Models};
use crate::resolution::Resolution;
use crate::source::Frame;

pub use locator::{FaceLocator, Located};
use timings::Stopwatch;
pub use timings::{StageTimings, STAGE_NAMES};

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
    /// The largest face, if any.
    pub face: Option<FaceBox>,
    pub faces_found: usize,
    pub landmarks: Option<Landmarks>,
    /// The 112x112 face aligned onto the template.
    pub aligned: Frame,
    /// The aligned face shrunk to `res`.
    pub vlr: Frame,
    /// The DSR (or bicubic) output at 112x112.
    pub upscaled: Frame,
    /// Unit-length embedding of `upscaled`.
    pub embedding: Vec<f32>,
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
            output: FrameOutput {
                res: Resolution::R16,
                face: None,
                faces_found: 0,
                landmarks: None,
                aligned: Frame::new(FACE_SIZE, FACE_SIZE),
                vlr: Frame::new(0, 0),
                upscaled: Frame::new(FACE_SIZE, FACE_SIZE),
                embedding: Vec::new(),
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

    /// The whole per-frame path on the largest face. `threshold` overrides the manifest's for
    /// `res` and `mode`.
    pub fn process(
        &mut self,
        frame: &Frame,
        res: Resolution,
        gallery: &Gallery,
        mode: &MatchMode,
        threshold: Option<f32>,
    ) -> Result<&FrameOutput, PipelineError> {
        let mut clock = Stopwatch::start();
        let face = self.detect(frame);
        let detect = clock.lap();
        let Some(face) = face else {
            self.output.res = res;
            self.output.timings = StageTimings::default();
            self.output.matched.top.clear();
            self.output.matched.accepted = None;
            self.output.embedding.clear();
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

    /// [`Pipeline::embed_face`], then matching against `gallery`: one face of a frame with
    /// several (`identify` names each of them).
    pub fn identify_face(
        &mut self,
        frame: &Frame,
        face: &FaceBox,
        res: Resolution,
        gallery: &Gallery,
        mode: &MatchMode,
        threshold: Option<f32>,
    ) -> Result<&FrameOutput, PipelineError> {
        self.output.timings = StageTimings::default();
        self.output.matched.top.clear();
        self.output.matched.accepted = None;
        self.embed_face(frame, face, res)?;
        let mut clock = Stopwatch::start();
        let threshold = threshold.unwrap_or_else(|| self.threshold_for(res, mode));
        let query = &self.output.embedding;
        let fingerprint = self.models.fingerprint(res);
        let mut people = gallery.embeddings(res, fingerprint);
        match mode {
            MatchMode::Identify => self.output.matched.identify(query, people, threshold),
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
        self.output.timings.matching = clock.lap();
        Ok(&self.output)
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

    /// Detects the largest face and aligns it; `None` when there is no face.
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

    /// Fills `face`, `landmarks` and `aligned`; false when there is no face.
    fn locate_and_align(&mut self, frame: &Frame) -> Result<bool, PipelineError> {
        match self.detect(frame) {
            Some(face) => self.align_to_template(frame, &face).map(|()| true),
            None => Ok(false),
        }
    }

    /// Fills `face` and `faces_found`; clears `landmarks` until they are found.
    fn detect(&mut self, frame: &Frame) -> Option<FaceBox> {
        let face = self.locator.detect(frame);
        self.output.faces_found = self.locator.faces_found();
        self.output.face = face;
        self.output.landmarks = None;
        face
    }

    /// Landmarks of `face`, then the warp onto the template into `output.aligned`.
    fn align_to_template(&mut self, frame: &Frame, face: &FaceBox) -> Result<(), PipelineError> {
        let landmarks = self.locator.landmarks(frame, face)?;
        align::align_face(frame, &landmarks, &mut self.output.aligned);
        self.output.landmarks = Some(landmarks);
        Ok(())
    }

    /// VLR downscale, upscale and embed of `output.aligned`; returns (downscale, dsr, edgeface)
    /// stage times.
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
        let align_time = clock.lap();
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
        Ok((align_time, dsr_time, edgeface_time))
    }
}
