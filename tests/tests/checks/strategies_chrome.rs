//! The Chrome / Perfetto trace-event export of a trace.

use std::time::Duration;

use sim::{Sim, Strategy};

fn traced() -> sim::Trace {
    let mut sim = Sim::builder().seed(4).strategy(Strategy::pct(2)).build();
    sim.run(async {
        let a = sim::spawn_named("a \"quoted\"", async {
            sim::time::sleep(Duration::from_micros(1500)).await;
            sim::log!("a woke\tup");
        });
        let b = sim::spawn_named("b", async {
            sim::task::yield_now().await;
            sim::time::sleep(Duration::from_nanos(7)).await;
        });
        a.await.unwrap();
        b.await.unwrap();
    })
    .unwrap();
    sim.take_trace()
}

#[test]
fn one_track_per_task_on_a_virtual_time_axis() {
    let trace = traced();
    let json = trace.to_chrome_json();
    assert!(
        json.starts_with("{\"traceEvents\":[") && json.ends_with("],\"displayTimeUnit\":\"ns\"}")
    );
    // A name for the executor's track and one per task.
    assert_eq!(
        json.matches("\"ph\":\"M\"").count(),
        trace.tasks().len() + 1
    );
    assert!(json.contains("\"args\":{\"name\":\"a \\\"quoted\\\"#1\"}"));
    assert!(json.contains("\"args\":{\"name\":\"b#2\"}"));
    // Sleeps are spans as long as the sleep, in virtual microseconds, including fractions (they
    // start a few nanoseconds after t=0: the events before them at t=0 come first).
    let sleep = items(&json)
        .into_iter()
        .find(|i| i.name == "sleep" && i.tid == 1)
        .expect("a's sleep");
    assert!(sleep.ts < 0.1, "{sleep:?}");
    assert_eq!(sleep.dur, Some(1500.0), "{sleep:?}");
    assert!(json.contains("\"dur\":0.007"));
    // Log lines are instants at their virtual time (plus the nanoseconds that order the events
    // of that instant) on their task's track, escaped.
    let log = items(&json)
        .into_iter()
        .find(|i| i.name == "a woke\\tup")
        .expect("a's log line");
    assert!(
        (1500.0..1500.1).contains(&log.ts) && log.tid == 1,
        "{log:?}"
    );
    // Every event of the trace is exported, plus the track names.
    assert_eq!(
        json.matches("\"ph\":").count(),
        trace.events().len() + trace.tasks().len() + 1
    );
    // Balanced braces and brackets outside strings: well-formed nesting.
    let (mut depth, mut in_str, mut esc) = (0i32, false, false);
    for c in json.chars() {
        match (in_str, esc, c) {
            (true, true, _) => esc = false,
            (true, false, '\\') => esc = true,
            (true, false, '"') | (false, _, '"') => in_str = !in_str,
            (false, _, '{' | '[') => depth += 1,
            (false, _, '}' | ']') => {
                depth -= 1;
                assert!(depth >= 0);
            }
            _ => {}
        }
    }
    assert_eq!((depth, in_str), (0, false));
}

#[derive(Debug)]
struct Item {
    name: String,
    ts: f64,
    dur: Option<f64>,
    tid: u64,
}

fn field<'a>(item: &'a str, key: &str) -> Option<&'a str> {
    let at = item.find(&format!("\"{key}\":"))? + key.len() + 3;
    let rest = &item[at..];
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    Some(&rest[..end])
}

/// The timed events of an export (metadata left out), in order. Good enough for the names this
/// file uses (no `},{` inside a name).
fn items(json: &str) -> Vec<Item> {
    json.split("},{")
        .filter(|i| !i.contains("\"ph\":\"M\""))
        .map(|i| {
            let name_at = i.find("\"name\":\"").expect("a name") + 8;
            let name_end = name_at + i[name_at..].find("\",\"ph\"").expect("name then ph");
            Item {
                name: i[name_at..name_end].to_string(),
                ts: field(i, "ts").expect("ts").parse().expect("a number"),
                dur: field(i, "dur").map(|d| d.parse().expect("a number")),
                tid: field(i, "tid").expect("tid").parse().expect("a number"),
            }
        })
        .collect()
}

#[test]
fn events_of_one_instant_get_distinct_ordered_timestamps() {
    // A lock-order race: everything happens at t=0.
    let mut sim = Sim::builder().seed(1).strategy(Strategy::random()).build();
    let _ = sim.run(async {
        let a = std::sync::Arc::new(sim::sync::Mutex::named("a", ()));
        let b = std::sync::Arc::new(sim::sync::Mutex::named("b", ()));
        let (a2, b2) = (a.clone(), b.clone());
        let t = sim::spawn(async move {
            let _g = b2.lock().await;
            let _h = a2.lock().await;
        });
        {
            let _g = a.lock().await;
            let _h = b.lock().await;
        }
        let _ = t.await;
    });
    let trace = sim.take_trace();
    assert!(trace.events().iter().all(|e| e.time.as_nanos() == 0));
    let ts: Vec<f64> = items(&trace.to_chrome_json())
        .iter()
        .map(|i| i.ts)
        .collect();
    assert_eq!(ts.len(), trace.events().len());
    assert!(ts.len() > 10, "{ts:?}");
    assert!(
        ts.windows(2).all(|w| w[0] < w[1]),
        "timestamps distinct and in trace order: {ts:?}"
    );
}

#[test]
fn export_is_deterministic() {
    assert_eq!(traced().to_chrome_json(), traced().to_chrome_json());
}
