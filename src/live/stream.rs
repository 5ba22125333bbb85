//! One live stream: frames from a source, every face followed and recognised (or, verifying,
//! each frame's subject checked against one person), the networks not used for a while let
//! go, and the stage statistics kept. `watch`, `soak`, `bench` and the window's session run
//! their loops through it, so a source's end, a bad file and a recognised frame mean the same
//! in all of them.

use super::{LiveConfig, LiveRecognizer};
use crate::frame::{place_on_canvas, Frame};
use crate::gallery::Gallery;
use crate::metrics::StageStats;
use crate::models::IDLE_NETWORKS;
use crate::pipeline::{MatchMode, Pipeline, PipelineError};
use crate::resolution::ResChoice;
use crate::source::{FrameSource, SourceError};

/// Frames the stage statistics cover unless told otherwise: a minute at a webcam's 15
/// frames/s.
const STATS_FRAMES: usize = 900;

pub struct Stream {
    source: Box<dyn FrameSource>,
    live: LiveRecognizer,
    image: Frame,
    /// Images are laid on a canvas of this size first, so detection costs what it costs on
    /// a webcam's frame (`soak`); `None` takes them as they come.
    canvas: Option<(u32, u32)>,
    frame: Frame,
    stats: StageStats,
    frames: u64,
}

/// What one [`Stream::step`] did.
#[derive(Debug)]
pub enum Step {
    /// A frame was recognised; its events are in [`Stream::live`].
    Recognised,
    /// The source gave no frame this time (a bad file, a camera hiccup): say so and go on.
    Missed(SourceError),
    /// The source has no more frames (a folder played once).
    Ended,
}

impl Stream {
    pub fn new(source: Box<dyn FrameSource>, config: LiveConfig) -> Stream {
        Stream {
            source,
            live: LiveRecognizer::new(config),
            image: Frame::new(0, 0),
            canvas: None,
            frame: Frame::new(0, 0),
            stats: StageStats::new(STATS_FRAMES),
            frames: 0,
        }
    }

    /// Lays every image on a `width` x `height` canvas before recognising it.
    pub fn on_canvas(mut self, width: u32, height: u32) -> Stream {
        self.canvas = Some((width, height));
        self
    }

    /// Keeps the stage statistics of the last `frames` frames (the window's panel shows a
    /// few seconds).
    pub fn with_stats_of(mut self, frames: usize) -> Stream {
        self.stats = StageStats::new(frames);
        self
    }

    /// Takes the source's next frame and recognises it at `res` (`threshold` overrides the
    /// manifest's at a fixed resolution): identifying, every face is followed; verifying,
    /// the frame's subject (its largest face the detector is sure of) is checked against the
    /// one person. A frame's stages count in the statistics when it held a face (a frame
    /// without one costs only detection, and would hide what recognising costs), and the
    /// first frame always.
    pub fn step(
        &mut self,
        pipeline: &mut Pipeline,
        gallery: &Gallery,
        res: ResChoice,
        threshold: Option<f32>,
        mode: &MatchMode,
    ) -> Result<Step, PipelineError> {
        match self.source.latest_frame(&mut self.image) {
            Ok(()) => {}
            Err(SourceError::Exhausted) => return Ok(Step::Ended),
            Err(e) => return Ok(Step::Missed(e)),
        }
        let frame = match self.canvas {
            Some((width, height)) => {
                place_on_canvas(&self.image, width, height, &mut self.frame);
                &self.frame
            }
            None => &self.image,
        };
        let timings = match mode {
            MatchMode::Identify => {
                self.live.step(pipeline, frame, gallery, res, threshold)?;
                *self.live.timings()
            }
            MatchMode::Verify(_) => {
                pipeline
                    .process(frame, res, gallery, mode, threshold)?
                    .timings
            }
        };
        pipeline.models_mut().release_idle(IDLE_NETWORKS);
        if pipeline.locator().faces_found() > 0 || self.stats.frames() == 0 {
            self.stats.push(&timings);
        }
        self.frames += 1;
        Ok(Step::Recognised)
    }

    /// The frame last recognised, as the pipeline saw it.
    pub fn frame(&self) -> &Frame {
        match self.canvas {
            Some(_) => &self.frame,
            None => &self.image,
        }
    }

    pub fn live(&self) -> &LiveRecognizer {
        &self.live
    }

    /// Forgets every face followed (the gallery changed under them).
    pub fn reset(&mut self) {
        self.live.reset();
    }

    /// Frames recognised so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    pub fn stats(&mut self) -> &mut StageStats {
        &mut self.stats
    }

    pub fn describe(&self) -> String {
        self.source.describe()
    }
}
