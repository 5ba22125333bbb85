//! One live stream: frames from a source, every face followed and recognised, the networks
//! not used for a while let go, and the stage statistics kept. `watch` and `soak` run their
//! loops through it, so a source's end, a bad file and a recognised frame mean the same in
//! both.

use super::{LiveConfig, LiveRecognizer};
use crate::frame::{place_on_canvas, Frame};
use crate::gallery::Gallery;
use crate::metrics::StageStats;
use crate::models::IDLE_NETWORKS;
use crate::pipeline::{Pipeline, PipelineError};
use crate::resolution::ResChoice;
use crate::source::{FrameSource, SourceError};

/// Frames the stage statistics cover: a minute at a webcam's 15 frames/s.
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

    /// Takes the source's next frame and recognises it at `res` (`threshold` overrides the
    /// manifest's at a fixed resolution).
    pub fn step(
        &mut self,
        pipeline: &mut Pipeline,
        gallery: &Gallery,
        res: ResChoice,
        threshold: Option<f32>,
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
        self.live.step(pipeline, frame, gallery, res, threshold)?;
        pipeline.models_mut().release_idle(IDLE_NETWORKS);
        self.stats.push(self.live.timings());
        self.frames += 1;
        Ok(Step::Recognised)
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
