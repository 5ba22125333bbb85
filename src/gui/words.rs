//! What the window says when the gallery changed, or why it did not: the library reports
//! what happened (`GalleryChange`, `SessionError`); the words for the user are chosen here.

use lrfr::enroll::EnrollError;
use lrfr::live::{GalleryChange, SessionError};

pub fn change(change: &GalleryChange) -> String {
    match change {
        GalleryChange::Enrolled {
            name,
            faces,
            skipped: None,
        } => format!("enrolled {name} from {faces} samples"),
        GalleryChange::Enrolled {
            name,
            faces,
            skipped: Some(skipped),
        } => format!("enrolled {name} from {faces} images ({skipped} skipped)"),
        GalleryChange::Renamed { from, to } => format!("renamed {from} to {to}"),
        GalleryChange::Removed(name) => format!("removed {name}"),
        GalleryChange::Exported { people, file } => format!(
            "exported {people} {} to {}",
            if *people == 1 { "person" } else { "people" },
            file.display()
        ),
        GalleryChange::Imported { names, left_out } => match left_out {
            Some(left_out) => format!("imported {}; {left_out}", names.join(", ")),
            None => format!("imported {}", names.join(", ")),
        },
        GalleryChange::MarkedNot { name, count, .. } => format!(
            "noted: not {name}; faces more like that one than like {name} are no longer named \
             {name} ({count} marked)"
        ),
        GalleryChange::Unmarked { name, count } => {
            format!("undone: that face is no longer marked as not {name} ({count} marked)")
        }
    }
}

pub fn error(error: &SessionError) -> String {
    match error {
        SessionError::Enroll(e @ EnrollError::LooksLike { .. }) => {
            format!("{e}. Press \"enroll anyway\" if this is someone else, or cancel")
        }
        SessionError::SeveralPeople(files) => {
            let files: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
            format!(
                "these photos look like two people: {} differ from the rest; enroll one person \
                 at a time",
                files.join(", ")
            )
        }
        other => other.to_string(),
    }
}
