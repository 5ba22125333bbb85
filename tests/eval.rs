//! `lrfr eval --openset` through the real binary: every FPIR and FNIR comes with its 95%
//! intervals, by bootstrap over the galleries drawn and over the people probed, and each
//! `--fpir` operating point with its interval over people.

mod common;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// A folder of eight people with enough photos, the look-alikes among them, so strangers get
/// named.
fn eight_people(faces: &Path, name: &str) -> String {
    let root = common::scratch(name);
    for person in [
        "John_Ashcroft",
        "Howard_Dean",
        "Norah_Jones",
        "David_Beckham",
        "Hamid_Karzai",
        "Mariah_Carey",
        "Hillary_Clinton",
        "Thomas_Fargo",
    ] {
        std::os::unix::fs::symlink(faces.join(person), root.join(person)).unwrap();
    }
    root.display().to_string()
}

#[test]
fn openset_figures_come_with_their_interval() {
    let Some(faces) = common::faces() else { return };
    let root = eight_people(&faces, "eval-openset");
    let out = common::run_lrfr([
        "eval",
        "--openset",
        "--root",
        &root,
        "--res",
        "16",
        "--trials",
        "50",
        "--enroll",
        "3",
        "--fpir",
        "0.05",
        "--json",
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = &report["results"][0];
    assert_eq!(row["interval_95"]["galleries"]["units"], 50, "{row}");
    assert_eq!(row["interval_95"]["people"]["units"], 8, "{row}");
    // The operating point the forge chooses by carries its own interval over people.
    let point = &row["at_fpir"][0];
    let sure = &point["interval_95"]["people"];
    for figure in ["fpir", "fnir"] {
        let (low, high) = (
            sure[figure]["low"].as_f64().unwrap(),
            sure[figure]["high"].as_f64().unwrap(),
        );
        assert!(low <= high, "{point}");
    }
    let fnir = point["fnir"].as_f64().unwrap();
    assert!(
        sure["fnir"]["low"].as_f64().unwrap() <= fnir
            && fnir <= sure["fnir"]["high"].as_f64().unwrap(),
        "{point}"
    );
    for over in ["galleries", "people"] {
        let interval = &row["interval_95"][over];
        for figure in ["fpir", "fnir"] {
            let (low, high) = (
                interval[figure]["low"].as_f64().unwrap(),
                interval[figure]["high"].as_f64().unwrap(),
            );
            let estimate = row[figure].as_f64().unwrap();
            assert!(
                low <= estimate && estimate <= high && low < high,
                "{over}, {figure}: {estimate} outside [{low}, {high}]"
            );
        }
    }
}

/// Each fixed resolution's galleries are made by its own template recipe: with the 16 px one
/// taken out of the manifest, the 24 and 32 px rows, whose recipes are their own, do not move
/// (they once took the first slot's: the 16 px recipe, with the 16 px EdgeFace's
/// full-resolution half) and the 16 px row does.
#[test]
fn each_resolutions_galleries_follow_its_own_recipe() {
    let Some(faces) = common::faces() else { return };
    let root = eight_people(&faces, "eval-recipes");
    let plain = common::copy_of_models("eval-recipes-models");
    common::edit_manifest(&plain, |m| {
        let taken_out = common::resolution_entry(m, 16)
            .as_object_mut()
            .unwrap()
            .remove("template");
        assert!(
            taken_out.is_some(),
            "the shipped manifest names no 16 px recipe"
        );
    });
    let operating_points = |models: &Path| -> Vec<(u64, f64, f64)> {
        let out = Command::new(env!("CARGO_BIN_EXE_lrfr"))
            .args(["--models".as_ref(), models.as_os_str()])
            .args(["eval", "--openset", "--root", &root, "--res", "all"])
            .args([
                "--trials", "40", "--enroll", "3", "--fpir", "0.05", "--json",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let rows = report["results"].as_array().unwrap();
        rows.iter()
            .map(|row| {
                let point = &row["at_fpir"][0];
                let res = row["res"].as_u64().unwrap();
                (
                    res,
                    point["threshold"].as_f64().unwrap(),
                    point["fnir"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    let shipped = operating_points(&common::models_dir());
    let without = operating_points(&plain);
    assert_eq!(shipped.len(), 3);
    for (with, without) in shipped.iter().zip(&without) {
        if with.0 == 16 {
            assert_ne!(with, without, "the 16 px recipe changed nothing");
        } else {
            assert_eq!(with, without, "{} px moved with the 16 px recipe", with.0);
        }
    }
}

/// With `--probes`, people are enrolled from ROOT's photos and probed by the images at the same
/// paths under PROBES: where those hold no face, every probe is a miss and nobody is named,
/// while ROOT probing itself names most enrolled people right.
#[test]
fn openset_probes_come_from_their_own_folder() {
    let Some(faces) = common::faces() else { return };
    let root = eight_people(&faces, "eval-openset-probes");
    let probes = common::scratch("eval-openset-blank-probes");
    let grey = image::RgbImage::from_pixel(250, 250, image::Rgb([128, 128, 128]));
    for person in std::fs::read_dir(&root).unwrap().flatten() {
        let folder = probes.join(person.file_name());
        std::fs::create_dir_all(&folder).unwrap();
        for photo in std::fs::read_dir(person.path()).unwrap().flatten() {
            grey.save(folder.join(photo.file_name())).unwrap();
        }
    }
    let figures = |extra: &[&str]| -> (f64, f64) {
        let mut args = vec!["eval", "--openset", "--root", &root, "--res", "32"];
        args.extend(["--trials", "20", "--enroll", "3", "--json"]);
        args.extend(extra);
        let out = common::run_lrfr(args);
        assert!(out.status.success(), "{out:?}");
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let row = &report["results"][0];
        (row["fpir"].as_f64().unwrap(), row["fnir"].as_f64().unwrap())
    };
    let (_, fnir) = figures(&[]);
    assert!(
        fnir < 0.5,
        "enrolled people probed by their own photos: FNIR {fnir}"
    );
    let blank = probes.display().to_string();
    assert_eq!(figures(&["--probes", &blank]), (0.0, 1.0));
}
