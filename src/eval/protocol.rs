//! The open-set protocol over a folder of identities (one sub-folder each): random galleries
//! of a few people, each enrolled from a few photos exactly as `lrfr enroll` does
//! ([`crate::matching::template`]), probed by their other photos (mated) and by every photo of
//! the people not enrolled (non-mated); or, given a folder of probes, by the images at those
//! photos' paths there (the photos made distant), so that faces far from the camera are
//! measured against galleries enrolled near it, as a user enrolls.

use std::path::{Path, PathBuf};

use super::openset::{Best, OpenSetScores};
use super::{Failure, PhotoEmbedding};
use crate::frame::decode_file;
use crate::matching::{combine_paths, cosine, template, Cohort, Spread, EMBEDDING_DIMS};
use crate::models::Models;
use crate::pipeline::{Pipeline, PipelineError, Upscaler};
use crate::resolution::{ResChoice, Resolution};
use crate::source::{list_images, SourceError};

#[derive(Debug, Clone, Copy)]
pub struct Protocol {
    pub gallery_size: usize,
    /// Photos each enrolled person is enrolled from.
    pub enroll: usize,
    pub trials: usize,
    pub seed: u64,
}

impl Default for Protocol {
    fn default() -> Self {
        Protocol {
            gallery_size: crate::gallery::MAX_PEOPLE,
            enroll: 5,
            trials: 200,
            seed: 20261123,
        }
    }
}

/// One identity's photos, each embedded once per configuration (`None`: no usable face).
struct Identity {
    photos: Vec<Vec<Option<PhotoEmbedding>>>,
    /// Per photo, what probes in its place when the probes come from another folder (the same
    /// photo made distant); `None`: the photos probe themselves.
    probes: Option<Vec<Vec<Option<PhotoEmbedding>>>>,
    /// Per photo: its aligned face's full-resolution embedding by each resolution's EdgeFace,
    /// where that resolution's template recipe uses one (empty where it does not; `None`: no
    /// usable face).
    full: Vec<Option<[Vec<f32>; 3]>>,
    /// Per photo and configuration: its probe's spread against its resolution's cohort,
    /// where that configuration's scores are normalised (computed once, not per gallery),
    /// and its second path's against that path's (see [`PhotoEmbedding::second`]).
    spreads: Vec<Vec<[Option<Spread>; 2]>>,
}

impl Identity {
    fn with_face(&self) -> usize {
        self.photos.iter().filter(|p| p[0].is_some()).count()
    }
}

pub struct OpenSetRow {
    pub res: ResChoice,
    pub upscaler: Upscaler,
    pub scores: OpenSetScores,
}

pub struct OpenSetEvaluation {
    pub rows: Vec<OpenSetRow>,
    pub failures: Vec<Failure>,
    /// Identities that could be enrolled (enough photos with a face) and all identities.
    pub eligible: usize,
    pub identities: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum OpenSetError {
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("{root}: {eligible} identities have {needed} or more photos with a face; a gallery of {size} needs more, and people left over to be strangers")]
    TooFewIdentities {
        root: PathBuf,
        eligible: usize,
        needed: usize,
        size: usize,
    },
}

/// Runs the protocol at every `(resolution, upscaler)`; `progress` gets (photos done, total).
/// With `probes`, people are enrolled from the photos under `root` and probed by the images
/// at the same paths under `probes` (the photos made distant, say); a probe image that is
/// missing or has no usable face is a miss.
pub fn evaluate_open_set(
    pipeline: &mut Pipeline,
    root: &Path,
    probes: Option<&Path>,
    configs: &[(ResChoice, Upscaler)],
    protocol: Protocol,
    mut progress: impl FnMut(usize, usize),
) -> Result<OpenSetEvaluation, OpenSetError> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(root)
        .map_err(|source| SourceError::Io {
            path: root.to_path_buf(),
            source,
        })?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    let lists: Vec<Vec<PathBuf>> = folders.iter().filter_map(|f| list_images(f).ok()).collect();
    let total = lists.iter().map(Vec::len).sum::<usize>() * if probes.is_some() { 2 } else { 1 };
    let mut done = 0;
    let mut failures = Vec::new();
    let mut identities = Vec::with_capacity(lists.len());
    for files in &lists {
        let mut photos = Vec::with_capacity(files.len());
        let mut full = Vec::with_capacity(files.len());
        let mut probed = probes.map(|_| Vec::with_capacity(files.len()));
        for path in files {
            progress(done, total);
            done += 1;
            let (embeddings, full_res) = embed_photo(pipeline, path, configs, true, &mut failures)?;
            photos.push(embeddings);
            full.push(full_res);
            if let (Some(probes), Some(probed)) = (probes, probed.as_mut()) {
                progress(done, total);
                done += 1;
                let relative = path.strip_prefix(root).unwrap_or(path);
                let far = probes.join(relative);
                probed.push(embed_photo(pipeline, &far, configs, false, &mut failures)?.0);
            }
        }
        identities.push(Identity {
            photos,
            probes: probed,
            full,
            spreads: Vec::new(),
        });
    }
    let cohorts: Vec<[Option<&Cohort>; 3]> = configs
        .iter()
        .map(|&config| cohorts_for(pipeline.models(), config))
        .collect();
    let mut scratch = Vec::new();
    for identity in &mut identities {
        identity.spreads = identity
            .probes
            .as_ref()
            .unwrap_or(&identity.photos)
            .iter()
            .map(|photo| {
                photo
                    .iter()
                    .zip(&cohorts)
                    .map(|(embedding, cohorts)| {
                        let Some(embedding) = embedding.as_ref() else {
                            return [None; 2];
                        };
                        let first = embedding.probe_res().and_then(|res| {
                            let cohort = cohorts[res.map_or(0, Resolution::index)]?;
                            Some(cohort.spread(embedding.at(res), &mut scratch))
                        });
                        let second = embedding.second().and_then(|(res, second)| {
                            Some(cohorts[res.index()]?.spread(second, &mut scratch))
                        });
                        [first, second]
                    })
                    .collect()
            })
            .collect();
    }
    progress(total, total);
    let needed = protocol.enroll + 1;
    let eligible: Vec<usize> = (0..identities.len())
        .filter(|&i| identities[i].with_face() >= needed)
        .collect();
    if eligible.len() < protocol.gallery_size || identities.len() <= protocol.gallery_size {
        return Err(OpenSetError::TooFewIdentities {
            root: root.to_path_buf(),
            eligible: eligible.len(),
            needed,
            size: protocol.gallery_size,
        });
    }
    let mut rows: Vec<OpenSetRow> = configs
        .iter()
        .map(|&(res, upscaler)| OpenSetRow {
            res,
            upscaler,
            scores: OpenSetScores::default(),
        })
        .collect();
    let mut rng = SplitMix(protocol.seed);
    for _ in 0..protocol.trials {
        let members = rng.choose(&eligible, protocol.gallery_size);
        // Each member: which photos enroll them (a random `enroll` of those with a face).
        let enrolled: Vec<Vec<usize>> = members
            .iter()
            .map(|&m| {
                let with_face: Vec<usize> = (0..identities[m].photos.len())
                    .filter(|&p| identities[m].photos[p][0].is_some())
                    .collect();
                rng.choose(&with_face, protocol.enroll)
            })
            .collect();
        for (k, row) in rows.iter_mut().enumerate() {
            let entries = Resolution::ALL.map(|res| pipeline.models().manifest().resolution(res));
            let thresholds = Thresholds {
                one: entries.map(|entry| match row.upscaler {
                    Upscaler::Dsr => entry.threshold,
                    Upscaler::Bicubic => entry.bicubic_threshold,
                }),
                second: entries.map(|entry| entry.second_path.map(|s| s.threshold)),
            };
            // One gallery per resolution: a probe at `auto` is matched at its own. A fixed
            // resolution's embeddings are that resolution's in every slot (it reads slot 0),
            // so its templates take that resolution's full-resolution half, never slot 0's.
            let templates: Vec<Vec<Vec<f32>>> = Resolution::ALL
                .iter()
                .map(|&res| {
                    let recipe_res = match row.res {
                        ResChoice::Fixed(fixed) => fixed,
                        ResChoice::Native => res,
                    };
                    members
                        .iter()
                        .zip(&enrolled)
                        .map(|(&m, photos)| {
                            let identity = &identities[m];
                            let shrunk = photos.iter().filter_map(|&p| {
                                identity.photos[p][k].as_ref().map(|e| e.at(Some(res)))
                            });
                            let full = photos.iter().filter_map(|&p| {
                                let full = identity.full[p].as_ref()?;
                                Some(full[recipe_res.index()].as_slice()).filter(|f| !f.is_empty())
                            });
                            template(shrunk, full, EMBEDDING_DIMS)
                        })
                        .collect()
                })
                .collect();
            for (i, identity) in identities.iter().enumerate() {
                let member = members.iter().position(|&m| m == i);
                let probing = identity.probes.as_ref().unwrap_or(&identity.photos);
                for (p, photo) in probing.iter().enumerate() {
                    let own = match member {
                        Some(slot) if enrolled[slot].contains(&p) => continue,
                        other => other,
                    };
                    let probe = Probe {
                        embedding: photo[k].as_ref(),
                        spread: identity.spreads[p][k],
                    };
                    let best = best_of(&templates, &thresholds, &cohorts[k], probe, own);
                    row.scores.push(best, i, own.is_some());
                }
            }
            row.scores.end_gallery();
        }
    }
    Ok(OpenSetEvaluation {
        rows,
        failures,
        eligible: eligible.len(),
        identities: identities.len(),
    })
}

/// One photo's embeddings in every configuration, and (for a photo that enrolls, `full`) its
/// aligned face's at full resolution by each resolution's EdgeFace whose template recipe uses
/// one.
type PhotoEmbeddings = (Vec<Option<PhotoEmbedding>>, Option<[Vec<f32>; 3]>);

fn embed_photo(
    pipeline: &mut Pipeline,
    path: &Path,
    configs: &[(ResChoice, Upscaler)],
    full: bool,
    failures: &mut Vec<Failure>,
) -> Result<PhotoEmbeddings, PipelineError> {
    let none = || (vec![None; configs.len()], None);
    let frame = match decode_file(path) {
        Ok(frame) => frame,
        Err(e) => {
            failures.push(Failure {
                path: path.to_path_buf(),
                reason: e.to_string(),
            });
            return Ok(none());
        }
    };
    let Some(output) = pipeline.align(&frame)? else {
        failures.push(Failure {
            path: path.to_path_buf(),
            reason: "no face found".into(),
        });
        return Ok(none());
    };
    let (Some(face), aligned) = (output.face, output.aligned.clone()) else {
        return Ok(none());
    };
    let mut embeddings = Vec::with_capacity(configs.len());
    for &config in configs {
        embeddings.push(Some(PhotoEmbedding::make(
            pipeline, &frame, &face, &aligned, config,
        )?));
    }
    if !full {
        return Ok((embeddings, None));
    }
    let mut full: [Vec<f32>; 3] = Default::default();
    for res in Resolution::ALL {
        if pipeline.models().template_recipe(res).uses_full() {
            full[res.index()] = pipeline.embed_full(&aligned, res)?.to_vec();
        }
    }
    Ok((embeddings, Some(full)))
}

/// The cohort each resolution's scores are normalised against in `config`, as the app does:
/// DSR's embeddings against the models' cohorts; the bicubic baseline's are plain cosines
/// (the cohorts are DSR's embeddings). A fixed resolution's gallery is at index 0.
fn cohorts_for(models: &Models, (choice, upscaler): (ResChoice, Upscaler)) -> [Option<&Cohort>; 3] {
    match (choice, upscaler) {
        (_, Upscaler::Bicubic) => [None; 3],
        (ResChoice::Fixed(res), Upscaler::Dsr) => [models.cohort(res); 3],
        (ResChoice::Native, Upscaler::Dsr) => Resolution::ALL.map(|res| models.cohort(res)),
    }
}

/// A probe photo in one configuration: its embedding (`None`: no usable face) and, where
/// scores are normalised, its spread against the cohort, and its second path's.
#[derive(Clone, Copy)]
struct Probe<'a> {
    embedding: Option<&'a PhotoEmbedding>,
    spread: [Option<Spread>; 2],
}

/// The 1:N thresholds of a configuration, per resolution: one path's, and, for a probe with
/// a second path, that decision's.
struct Thresholds {
    one: [f32; 3],
    second: [Option<f32>; 3],
}

/// The best-scoring template for `probe`, among the gallery at the probe's resolution;
/// `correct` when it is `own`. `None` when there is no face, or one too small to tell. At
/// `auto` the score is the margin over the threshold of the probe's own resolution (each
/// probe is decided at its own), so that row's threshold is 0; a probe with a second path
/// is scored on both paths and decided at the second path's threshold, as the app does
/// ([`combine_paths`]).
fn best_of(
    templates: &[Vec<Vec<f32>>],
    thresholds: &Thresholds,
    cohorts: &[Option<&Cohort>; 3],
    probe: Probe<'_>,
    own: Option<usize>,
) -> Option<Best> {
    let embedding = probe.embedding?;
    let res = embedding.probe_res()?;
    let index = res.map_or(0, Resolution::index);
    let first_threshold = thresholds.one[index];
    let offset = match (res, embedding.second()) {
        (None, _) => 0.0,
        (Some(_), Some(_)) => thresholds.second[index].unwrap_or(first_threshold),
        (Some(_), None) => first_threshold,
    };
    let mut scratch = Vec::new();
    let mut score = |query: &[f32], at: usize, spread: Option<Spread>, t: &Vec<f32>| {
        let cos = cosine(query, t);
        match (cohorts[at], spread) {
            (Some(cohort), Some(spread)) => {
                cohort.normalise(cos, cohort.template_spread(t, &mut scratch), spread)
            }
            _ => cos,
        }
    };
    let query = embedding.at(res);
    let (slot, score) = templates[index]
        .iter()
        .enumerate()
        .map(|(slot, t)| {
            let first = score(query, index, probe.spread[0], t);
            let combined = match embedding.second() {
                Some((second, other)) => {
                    let at = second.index();
                    let other = score(other, at, probe.spread[1], &templates[at][slot]);
                    combine_paths(first, first_threshold, other, thresholds.one[at])
                }
                None => first,
            };
            (slot, combined)
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    Some(Best {
        score: score - offset,
        correct: own == Some(slot),
    })
}

/// A small seeded generator (SplitMix64): trials must be the same on every run and machine.
pub(super) struct SplitMix(pub(super) u64);

impl SplitMix {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `count` distinct items of `from`, in random order (a partial Fisher-Yates shuffle).
    fn choose(&mut self, from: &[usize], count: usize) -> Vec<usize> {
        let mut pool = from.to_vec();
        let count = count.min(pool.len());
        for i in 0..count {
            let j = i + (self.next() % (pool.len() - i) as u64) as usize;
            pool.swap(i, j);
        }
        pool.truncate(count);
        pool
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choosing_is_distinct_and_repeatable() {
        let from: Vec<usize> = (10..30).collect();
        let a = SplitMix(7).choose(&from, 5);
        assert_eq!(a, SplitMix(7).choose(&from, 5));
        let mut sorted = a.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 5);
        assert!(a.iter().all(|x| from.contains(x)));
        assert_eq!(SplitMix(1).choose(&from, 50).len(), 20);
    }

    fn fixed(v: &[f32]) -> PhotoEmbedding {
        PhotoEmbedding::Fixed(v.to_vec())
    }

    const NONE: [Option<&Cohort>; 3] = [None; 3];

    fn one_path(one: [f32; 3]) -> Thresholds {
        Thresholds {
            one,
            second: [None; 3],
        }
    }

    fn plain(embedding: &PhotoEmbedding) -> Probe<'_> {
        Probe {
            embedding: Some(embedding),
            spread: [None; 2],
        }
    }

    #[test]
    fn the_best_candidate_and_whether_it_is_right() {
        let gallery = vec![vec![1.0, 0.0], vec![0.0, 1.0]];
        let templates = vec![gallery.clone(), gallery.clone(), gallery];
        let thresholds = one_path([0.3, 0.2, 0.1]);
        let b = best_of(
            &templates,
            &thresholds,
            &NONE,
            plain(&fixed(&[0.2, 0.9])),
            Some(1),
        )
        .unwrap();
        assert!(b.correct && (b.score - cosine(&[0.2, 0.9], &[0.0, 1.0])).abs() < 1e-6);
        assert!(
            !best_of(
                &templates,
                &thresholds,
                &NONE,
                plain(&fixed(&[0.9, 0.2])),
                Some(1)
            )
            .unwrap()
            .correct
        );
        let nothing = Probe {
            embedding: None,
            spread: [None; 2],
        };
        assert_eq!(best_of(&templates, &thresholds, &NONE, nothing, None), None);
    }

    #[test]
    fn an_auto_probe_is_matched_at_its_own_resolution_by_its_margin() {
        // Person 0 at 16 px, person 1 at 24: the probe at 24 px finds person 1.
        let templates = vec![
            vec![vec![1.0, 0.0], vec![1.0, 0.0]],
            vec![vec![1.0, 0.0], vec![0.0, 1.0]],
            vec![vec![1.0, 0.0], vec![1.0, 0.0]],
        ];
        let probe = PhotoEmbedding::Native {
            res: Some(Resolution::R24),
            by_res: [vec![1.0, 0.0], vec![0.0, 1.0], vec![1.0, 0.0]],
            second: None,
        };
        let thresholds = one_path([0.3, 0.2, 0.1]);
        let b = best_of(&templates, &thresholds, &NONE, plain(&probe), Some(1)).unwrap();
        assert!(b.correct && (b.score - 0.8).abs() < 1e-6, "{b:?}");
        // Too small to tell: no decision, a miss.
        let tiny = PhotoEmbedding::Native {
            res: None,
            by_res: [vec![1.0, 0.0], vec![0.0, 1.0], vec![1.0, 0.0]],
            second: None,
        };
        assert_eq!(
            best_of(&templates, &thresholds, &NONE, plain(&tiny), Some(1)),
            None
        );
    }

    #[test]
    fn a_probe_with_a_second_path_is_decided_on_both_at_that_paths_threshold() {
        // At 16 px the probe is alike to both people (0.6); on its 24 px path only to
        // person 1 (1.0 against 0.0).
        let templates = vec![
            vec![vec![1.0, 0.0], vec![0.0, 1.0]],
            vec![vec![1.0, 0.0], vec![0.0, 1.0]],
            vec![vec![1.0, 0.0], vec![0.0, 1.0]],
        ];
        let probe = PhotoEmbedding::Native {
            res: Some(Resolution::R16),
            by_res: [vec![0.6, 0.6], vec![0.6, 0.6], vec![0.6, 0.6]],
            second: Some((Resolution::R24, vec![0.0, 1.0])),
        };
        let thresholds = Thresholds {
            one: [0.3, 0.2, 0.1],
            second: [Some(0.25), None, None],
        };
        let b = best_of(&templates, &thresholds, &NONE, plain(&probe), Some(1)).unwrap();
        // Person 1: 16 px cosine 0.707 (0.407 over 0.3), 24 px 1.0 (0.8 over 0.2): the mean
        // margin 0.604 on 16 px's scale is 0.904, 0.654 over the second path's 0.25.
        let first = cosine(&[0.6, 0.6], &[0.0, 1.0]);
        let expected = 0.3 + ((first - 0.3) + (1.0 - 0.2)) / 2.0 - 0.25;
        assert!(b.correct && (b.score - expected).abs() < 1e-6, "{b:?}");
    }
}
