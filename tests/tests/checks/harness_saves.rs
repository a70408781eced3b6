//! Saving to a regressions file: threads and processes saving at once lose, mangle and
//! duplicate nothing; a damaged line costs only that line.

use std::collections::BTreeMap;
use std::path::Path;

use harness::regressions::Regressions;

use crate::child;
use crate::common::temp_dir;

const WRITERS: usize = 4;
const SAVES: usize = 200;
/// Tokens every writer also saves: each must end up in the file once.
const SHARED: usize = 10;

fn token(writer: usize, i: usize) -> String {
    format!("sl2.w{writer}n{i}.aaaaaaaa")
}

/// Writer `w`'s saves: its own tokens, and the shared ones everybody saves.
fn save_all(file: &Regressions, w: usize) {
    for i in 0..SAVES {
        file.save(&format!("test_{w}"), &token(w, i)).unwrap();
        file.save("shared", &token(99, i % SHARED)).unwrap();
    }
}

/// Every line is whole, every token is there once, and the header once.
fn assert_intact(path: &Path) {
    let text = std::fs::read_to_string(path).expect("the file is text");
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut comments = 0;
    for line in text.lines() {
        if line.starts_with('#') {
            comments += 1;
            continue;
        }
        let parts: Vec<&str> = line.split(' ').collect();
        assert!(
            parts.len() == 2 && parts[1].starts_with("sl2.") && parts[1].ends_with(".aaaaaaaa"),
            "malformed line {line:?}"
        );
        *seen.entry(line.to_string()).or_default() += 1;
    }
    assert_eq!(comments, 3, "the header once:\n{text}");
    let duplicated: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(duplicated.is_empty(), "duplicated: {duplicated:?}");
    let mut lost = Vec::new();
    for w in 0..WRITERS {
        for i in 0..SAVES {
            let line = format!("test_{w} {}", token(w, i));
            if !seen.contains_key(&line) {
                lost.push(line);
            }
        }
    }
    for i in 0..SHARED {
        let line = format!("shared {}", token(99, i));
        if !seen.contains_key(&line) {
            lost.push(line);
        }
    }
    assert!(
        lost.is_empty(),
        "{} lost, e.g. {:?}",
        lost.len(),
        lost.first()
    );
    assert_eq!(seen.len(), WRITERS * SAVES + SHARED);
}

#[test]
fn threads_saving_at_once_lose_nothing() {
    let dir = temp_dir("saves-threads");
    let file = Regressions::new(&dir, "saves");
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let file = file.clone();
            std::thread::spawn(move || save_all(&file, w))
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    assert_intact(file.path());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn processes_saving_at_once_lose_nothing() {
    const PATH: &str = "harness_saves::processes_saving_at_once_lose_nothing";
    if let Some(role) = child::role() {
        let dir = std::env::var("CHECKS_SAVE_DIR").unwrap();
        let w: usize = role.parse().unwrap();
        save_all(&Regressions::new(Path::new(&dir), "saves"), w);
        return;
    }
    let dir = temp_dir("saves-processes");
    let dir_text = dir.to_str().unwrap().to_string();
    let children: Vec<_> = (0..WRITERS)
        .map(|w| child::spawn(PATH, &w.to_string(), &[("CHECKS_SAVE_DIR", &dir_text)]))
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", child::stderr(&out));
    }
    assert_intact(Regressions::new(&dir, "saves").path());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_line_that_is_not_text_costs_only_that_line() {
    let dir = temp_dir("saves-bad-byte");
    let file = Regressions::new(&dir, "saves");
    file.save("counter", &token(0, 0)).unwrap();
    let mut bytes = std::fs::read(file.path()).unwrap();
    bytes.extend_from_slice(b"counter sl2.\xff\xfe.aaaaaaaa\n");
    bytes.extend_from_slice(format!("counter {}\n", token(0, 1)).as_bytes());
    std::fs::write(file.path(), &bytes).unwrap();

    assert_eq!(file.tokens("counter"), [token(0, 0), token(0, 1)]);
    // Saving a token that is there already does not append it again.
    file.save("counter", &token(0, 1)).unwrap();
    file.save("counter", &token(0, 2)).unwrap();
    let after = std::fs::read(file.path()).unwrap();
    let text = String::from_utf8_lossy(&after);
    assert_eq!(text.matches(&token(0, 1)).count(), 1, "{text}");
    assert_eq!(text.matches(&token(0, 2)).count(), 1, "{text}");
    assert!(
        after.starts_with(&bytes),
        "the damaged line is left as it was"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
