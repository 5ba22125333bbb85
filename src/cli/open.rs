//! Shared start-up for commands: models and gallery.

use anyhow::Context;
use lrfr::gallery::Gallery;
use lrfr::pipeline::Pipeline;
use lrfr::Config;

/// The pipeline; when it cannot load and no models are installed anywhere lrfr looks, the
/// error lists every place it looked.
pub fn pipeline(config: &Config) -> anyhow::Result<Pipeline> {
    Pipeline::new(config).map_err(|e| {
        let e = anyhow::Error::new(e).context(format!(
            "loading the models from {}",
            config.models_dir.display()
        ));
        match lrfr::config::models_not_found() {
            Some(searched) => e.context(searched),
            None => e,
        }
    })
}

/// Opens the gallery, printing any notice (a damaged file set aside) to stderr.
pub fn gallery(config: &Config) -> anyhow::Result<Gallery> {
    let (gallery, notice) = Gallery::open(&config.gallery_dir)
        .with_context(|| format!("opening the gallery in {}", config.gallery_dir.display()))?;
    if let Some(notice) = notice {
        eprintln!("warning: {notice}");
    }
    Ok(gallery)
}

/// Opens the gallery and brings its embeddings up to date with the loaded models.
pub fn gallery_for(config: &Config, pipeline: &mut Pipeline) -> anyhow::Result<Gallery> {
    let mut gallery = gallery(config)?;
    let refreshed = lrfr::enroll::refresh(pipeline, &mut gallery);
    if let Some(left_out) = refreshed.left_out() {
        anyhow::bail!(
            "the models changed and some people could not be recomputed: {left_out}. \
             Re-enroll them, or remove them with `lrfr gallery remove NAME`"
        );
    }
    if !refreshed.recomputed.is_empty() {
        eprintln!(
            "note: the models changed; recomputed {} from their enrolled faces",
            refreshed.recomputed.join(", ")
        );
    }
    Ok(gallery)
}
