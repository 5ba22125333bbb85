//! Verification pair lists: LFW's `pairs.txt`, or a TSV `a<TAB>b<TAB>1|0` with `#` comments.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub a: PathBuf,
    pub b: PathBuf,
    pub same: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum PairsError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("line {line}: {reason}")]
    Syntax { line: usize, reason: String },
    #[error("no pairs found")]
    Empty,
}

pub fn read_pairs(path: &Path, root: &Path) -> Result<Vec<Pair>, PairsError> {
    let text = std::fs::read_to_string(path).map_err(|source| PairsError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_pairs(&text, root)
}

/// Parses either format; image paths are joined onto `root`.
pub fn parse_pairs(text: &str, root: &Path) -> Result<Vec<Pair>, PairsError> {
    let mut pairs = Vec::new();
    for (number, raw) in text.lines().enumerate() {
        let line = number + 1;
        let content = raw.trim_end_matches('\r');
        if content.trim().is_empty() || content.trim_start().starts_with('#') {
            continue;
        }
        let syntax = |reason: String| PairsError::Syntax { line, reason };
        if content.contains('\t') {
            let fields: Vec<&str> = content.split('\t').map(str::trim).collect();
            let [a, b, label] = fields[..] else {
                return Err(syntax(format!(
                    "expected 3 tab-separated fields, found {}",
                    fields.len()
                )));
            };
            let same = match label {
                "1" => true,
                "0" => false,
                other => return Err(syntax(format!("label must be 1 or 0, not {other:?}"))),
            };
            pairs.push(Pair {
                a: root.join(a),
                b: root.join(b),
                same,
            });
            continue;
        }
        let tokens: Vec<&str> = content.split_whitespace().collect();
        let index = |s: &str| {
            s.parse::<u32>()
                .map_err(|_| syntax(format!("{s:?} is not an image number")))
        };
        match tokens[..] {
            [_] | [_, _] if tokens.iter().all(|t| t.parse::<u32>().is_ok()) => {}
            [name, i, j] => pairs.push(Pair {
                a: lfw_path(root, name, index(i)?),
                b: lfw_path(root, name, index(j)?),
                same: true,
            }),
            [first, i, second, j] => pairs.push(Pair {
                a: lfw_path(root, first, index(i)?),
                b: lfw_path(root, second, index(j)?),
                same: false,
            }),
            _ => {
                return Err(syntax(format!(
                    "cannot read {content:?} as an LFW pair or a TSV row"
                )))
            }
        }
    }
    if pairs.is_empty() {
        return Err(PairsError::Empty);
    }
    Ok(pairs)
}

fn lfw_path(root: &Path, name: &str, number: u32) -> PathBuf {
    root.join(name).join(format!("{name}_{number:04}.jpg"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lfw_format_with_header() {
        let text = "2\nAaron_Peirsol 1 2\nAJ_Cook 1 Marsha_Thomason 1\n";
        let pairs = parse_pairs(text, Path::new("/r")).unwrap();
        assert_eq!(pairs.len(), 2);
        assert_eq!(
            pairs[0].a,
            Path::new("/r/Aaron_Peirsol/Aaron_Peirsol_0001.jpg")
        );
        assert_eq!(
            pairs[0].b,
            Path::new("/r/Aaron_Peirsol/Aaron_Peirsol_0002.jpg")
        );
        assert!(pairs[0].same);
        assert_eq!(
            pairs[1].b,
            Path::new("/r/Marsha_Thomason/Marsha_Thomason_0001.jpg")
        );
        assert!(!pairs[1].same);
    }

    #[test]
    fn tsv_with_comments() {
        let text = "# a comment\nx/1.jpg\ty/2.jpg\t0\r\n\nx/1.jpg\tx/3.jpg\t1\n";
        let pairs = parse_pairs(text, Path::new("r")).unwrap();
        assert_eq!(pairs.len(), 2);
        assert_eq!(pairs[0].a, Path::new("r/x/1.jpg"));
        assert!(!pairs[0].same && pairs[1].same);
    }

    #[test]
    fn bad_lines_name_their_number() {
        let err = parse_pairs("a\tb\tmaybe\n", Path::new("r")).unwrap_err();
        assert!(err.to_string().starts_with("line 1"), "{err}");
        let err = parse_pairs("10\nname one two\n", Path::new("r")).unwrap_err();
        assert!(err.to_string().starts_with("line 2"), "{err}");
        assert!(matches!(
            parse_pairs("# nothing\n", Path::new("r")),
            Err(PairsError::Empty)
        ));
    }
}
