//! `lrfr eval --openset` through the real binary: every FPIR and FNIR comes with its 95%
//! intervals, by bootstrap over the galleries drawn and over the people probed, and each
//! `--fpir` operating point with its interval over people.

mod common;

use serde_json::Value;

#[test]
fn openset_figures_come_with_their_interval() {
    let Some(faces) = common::faces() else { return };
    let root = common::scratch("eval-openset");
    // Eight people with enough photos, the look-alikes among them, so strangers get named.
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
    let root = root.display().to_string();
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
