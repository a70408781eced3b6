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
    // Sleeps are spans in virtual microseconds, including fractions.
    assert!(
        json.contains("\"name\":\"sleep\",\"ph\":\"X\",\"ts\":0,\"dur\":1500,\"pid\":1,\"tid\":1")
    );
    assert!(json.contains("\"dur\":0.007"));
    // Log lines are instants at their virtual time on their task's track, escaped.
    assert!(json.contains(
        "{\"name\":\"a woke\\tup\",\"ph\":\"i\",\"s\":\"t\",\"ts\":1500,\"pid\":1,\"tid\":1"
    ));
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

#[test]
fn export_is_deterministic() {
    assert_eq!(traced().to_chrome_json(), traced().to_chrome_json());
}
