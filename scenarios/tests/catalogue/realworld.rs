//! The real-world programs under Fifo, checked against independent models of what they must do,
//! and their buggy versions' failures naming the invariant they break.

use std::time::Duration;

use scenarios::realworld::{Version, chat_room, pool, rate_limiter, scraper, sensors, web_server};
use sim::time::Instant;
use sim::{Sim, Strategy};

fn fifo() -> Sim {
    Sim::builder().seed(0).strategy(Strategy::fifo()).build()
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The first failure among random seeds `0..budget`: (seed, message).
fn first_failure<R>(
    budget: u64,
    run: impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<R, String>>>>,
) -> Option<(u64, String)> {
    (0..budget).find_map(|seed| {
        let mut sim = Sim::new(seed);
        match sim.run(run()) {
            Ok(Ok(_)) => None,
            Ok(Err(broken)) => Some((seed, broken)),
            Err(e) => Some((seed, e.to_string())),
        }
    })
}

/// Jobs in order on `slots` servers, each starting when it arrived and a server is free:
/// (start, end) per job.
fn fifo_servers(slots: usize, jobs: &[(Instant, Duration)]) -> Vec<(Instant, Instant)> {
    let mut free = vec![Instant::ZERO; slots];
    jobs.iter()
        .map(|&(arrival, took)| {
            let (i, &at) = free
                .iter()
                .enumerate()
                .min_by_key(|&(_, t)| *t)
                .expect("slots > 0");
            let start = if at > arrival { at } else { arrival };
            free[i] = start + took;
            (start, start + took)
        })
        .collect()
}

fn peak(intervals: &[(Instant, Instant)]) -> usize {
    intervals
        .iter()
        .map(|&(s, _)| intervals.iter().filter(|&&(a, b)| a <= s && s < b).count())
        .max()
        .unwrap_or(0)
}

#[test]
fn web_server_answers_like_a_fifo_queue_of_three_servers() {
    let r = fifo()
        .run(web_server::run(Version::Correct))
        .unwrap()
        .unwrap();
    let jobs: Vec<_> = r
        .arrivals
        .iter()
        .copied()
        .zip(r.backend.iter().copied())
        .collect();
    let model = fifo_servers(web_server::LIMIT, &jobs);
    let ends: Vec<Instant> = model.iter().map(|&(_, e)| e).collect();
    assert_eq!(r.answered, ends);
    assert_eq!(r.end, *ends.iter().max().unwrap());
    assert_eq!(r.peak, peak(&model));
    assert_eq!(r.peak, web_server::LIMIT, "this seed saturates the server");
    // Some requests waited for a slot.
    assert!(
        model
            .iter()
            .zip(&r.arrivals)
            .any(|(&(start, _), &at)| start > at)
    );
    assert_eq!(r.answered.len(), web_server::REQUESTS);
}

#[test]
fn web_server_shared_context_is_caught_as_a_mismatched_response() {
    // Any two overlapping handlers show it: Fifo catches it as well.
    let msg = fifo()
        .run(web_server::run(Version::Buggy))
        .unwrap()
        .unwrap_err();
    assert!(msg.contains("responses must match requests"), "{msg}");
    let (seed, msg) = first_failure(4, || Box::pin(web_server::run(Version::Buggy))).unwrap();
    assert!(
        msg.contains("got the response to request"),
        "seed {seed}: {msg}"
    );
}

#[test]
fn chat_room_members_get_exactly_their_share_under_fifo() {
    let r = fifo()
        .run(chat_room::run(Version::Correct))
        .unwrap()
        .unwrap();
    let posts = chat_room::MESSAGES_EACH * chat_room::POSTERS as u64;
    assert_eq!(r.sent, posts);
    let tick = |t: Instant| t.as_nanos() / chat_room::TICK.as_nanos() as u64;
    let mut last = chat_room::MESSAGES_EACH;
    for s in &r.stays {
        // Under Fifo a member joining at a posting tick goes before that tick's posts (its timer
        // is older), and one leaving at a posting tick after them (its timer is newer).
        let first = 2 * tick(s.joined).saturating_sub(1);
        let end = 2 * tick(s.left).min(chat_room::MESSAGES_EACH);
        assert_eq!((s.first, s.end), (first, end), "{s:?}");
        assert_eq!(s.received, (first..end).collect::<Vec<_>>());
        assert_eq!(s.drained, 0);
        last = last.max(tick(s.left));
    }
    assert_eq!(r.end, Instant::ZERO + chat_room::TICK * last as u32);
}

#[test]
fn chat_room_members_drain_what_arrived_as_they_left() {
    // The race the buggy version loses happens to the correct one too, and it keeps the message.
    let drained: usize = (0..16)
        .map(|seed| {
            let r = Sim::new(seed)
                .run(chat_room::run(Version::Correct))
                .unwrap()
                .unwrap();
            r.stays.iter().map(|s| s.drained).sum::<usize>()
        })
        .sum();
    assert!(drained > 0);
}

#[test]
fn chat_room_lost_on_leave_is_missed_by_fifo_and_caught_by_random() {
    fifo().run(chat_room::run(Version::Buggy)).unwrap().unwrap();
    let (seed, msg) = first_failure(16, || Box::pin(chat_room::run(Version::Buggy))).unwrap();
    assert!(
        msg.contains("must receive every message sent while it was in") && msg.contains("lost"),
        "seed {seed}: {msg}"
    );
}

/// How long a URL holds its slot under Fifo (a fetch answering exactly at its deadline wins),
/// and how it ends.
fn url_model(plan: &[scraper::Attempt]) -> (Duration, scraper::Fate) {
    let mut took = Duration::ZERO;
    for (i, a) in plan.iter().enumerate() {
        if a.latency <= scraper::FETCH_TIMEOUT && !a.fails {
            return (took + a.latency, scraper::Fate::Fetched(i + 1));
        }
        took += a.latency.min(scraper::FETCH_TIMEOUT);
        if i + 1 < plan.len() {
            took += scraper::BACKOFF * (i as u32 + 1);
        }
    }
    (took, scraper::Fate::Failed)
}

#[test]
fn scraper_matches_a_model_of_slots_retries_and_timeouts() {
    let r = fifo().run(scraper::run(Version::Correct)).unwrap().unwrap();
    let urls: Vec<_> = r.plan.iter().map(|p| url_model(p)).collect();
    let fates: Vec<_> = urls.iter().map(|(_, f)| f.clone()).collect();
    assert_eq!(r.fates, fates);
    let jobs: Vec<_> = urls.iter().map(|&(d, _)| (Instant::ZERO, d)).collect();
    let model = fifo_servers(scraper::LIMIT, &jobs);
    assert_eq!(r.end, model.iter().map(|&(_, e)| e).max().unwrap());
    assert_eq!(r.peak, scraper::LIMIT);
    assert!(r.end - Instant::ZERO <= scraper::time_bound());
    assert_eq!(scraper::time_bound(), ms(4 * 360));
}

#[test]
fn scraper_timeout_covering_the_queue_is_caught_as_unreal_attempts() {
    let msg = fifo()
        .run(scraper::run(Version::Buggy))
        .unwrap()
        .unwrap_err();
    assert!(
        msg.starts_with("every failed attempt must be a real failure"),
        "{msg}"
    );
    let (seed, msg) = first_failure(4, || Box::pin(scraper::run(Version::Buggy))).unwrap();
    assert!(
        msg.starts_with("every failed attempt must be a real failure"),
        "seed {seed}: {msg}"
    );
}

/// When one sensor's gateway task is done with its last slot, under Fifo.
fn gateway_model(plan: &[sensors::Send]) -> (Instant, u64, u64) {
    let slot = |k: u32| Instant::ZERO + sensors::PERIOD * (k + 1);
    let sends: Vec<(Instant, u32)> = (0u32..)
        .zip(plan)
        .filter_map(|(k, s)| match *s {
            sensors::Send::OnTime(d) | sensors::Send::Late(d) => Some((slot(k) + d, k)),
            sensors::Send::Skipped => None,
        })
        .collect();
    let (mut t, mut next, mut missed, mut stale) = (Instant::ZERO, 0, 0, 0);
    for k in 0..sensors::READINGS {
        let deadline = slot(k) + sensors::GRACE;
        loop {
            match sends.get(next) {
                Some(&(at, seq)) if at <= deadline => {
                    t = at;
                    next += 1;
                    if seq < k {
                        stale += 1;
                        continue;
                    }
                }
                Some(_) => {
                    t = deadline;
                    missed += 1;
                }
                None => missed += 1, // the sensor is done: its channel is closed
            }
            break;
        }
    }
    (t, missed, stale)
}

#[test]
fn sensors_count_on_time_readings_and_drop_late_ones() {
    let r = fifo().run(sensors::run(Version::Correct)).unwrap().unwrap();
    let flat: Vec<_> = r.plan.iter().flatten().collect();
    let on_time = flat
        .iter()
        .filter(|s| matches!(s, sensors::Send::OnTime(_)))
        .count();
    assert_eq!(r.aggregate.count, on_time as u64);
    assert_eq!(r.aggregate.window.len(), sensors::WINDOW);
    let models: Vec<_> = r.plan.iter().map(|p| gateway_model(p)).collect();
    assert_eq!(r.missed, models.iter().map(|m| m.1).sum::<u64>());
    assert_eq!(r.stale, models.iter().map(|m| m.2).sum::<u64>());
    assert_eq!(r.end, models.iter().map(|m| m.0).max().unwrap());
    let mean = r.aggregate.mean().unwrap();
    assert!((150.0..=250.0).contains(&mean), "{mean}");
}

#[test]
fn sensors_lost_update_is_missed_by_fifo_and_caught_by_random() {
    fifo().run(sensors::run(Version::Buggy)).unwrap().unwrap();
    let (seed, msg) = first_failure(16, || Box::pin(sensors::run(Version::Buggy))).unwrap();
    assert!(msg.starts_with("lost update"), "seed {seed}: {msg}");
}

#[test]
fn pool_serves_or_times_out_every_query_and_ends_whole() {
    let r = fifo().run(pool::run(Version::Correct)).unwrap().unwrap();
    assert_eq!(r.queries + r.timeouts, pool::USERS * pool::QUERIES);
    assert!(r.timeouts > 0, "this seed exhausts the pool: {r:?}");
    assert_eq!(r.idle, pool::POOL_SIZE);
    assert_eq!(
        r.end.as_nanos() % 10_000_000,
        0,
        "everything is on the 10 ms grid"
    );
}

#[test]
fn pool_gives_back_a_connection_handed_to_a_timed_out_acquirer() {
    // The race the buggy version loses happens to the correct one too, and the guard wins it.
    let rescued: usize = (0..16)
        .map(|seed| {
            let r = Sim::new(seed)
                .run(pool::run(Version::Correct))
                .unwrap()
                .unwrap();
            assert_eq!(r.idle, pool::POOL_SIZE);
            r.rescued
        })
        .sum();
    assert!(rescued > 0);
}

#[test]
fn pool_leak_on_timeout_is_missed_by_fifo_and_caught_by_random() {
    fifo().run(pool::run(Version::Buggy)).unwrap().unwrap();
    let (seed, msg) = first_failure(16, || Box::pin(pool::run(Version::Buggy))).unwrap();
    assert!(msg.contains("a connection leaked"), "seed {seed}: {msg}");
}

#[test]
fn rate_limiter_is_saturated_and_never_faster_than_the_bucket() {
    let r = fifo()
        .run(rate_limiter::run(Version::Correct))
        .unwrap()
        .unwrap();
    assert_eq!(r.calls.len(), rate_limiter::CLIENTS * rate_limiter::CALLS);
    let burst = rate_limiter::BURST as usize;
    for (n, &at) in r.calls.iter().enumerate().skip(burst) {
        // Call n needs n + 1 tokens: BURST at the start, one more per refill.
        assert!(at >= Instant::ZERO + rate_limiter::REFILL * (n + 1 - burst) as u32);
    }
    // Six clients keep it busy: the last call takes the last refill's token at once.
    let last = r.calls.len() - burst;
    assert_eq!(
        *r.calls.last().unwrap(),
        Instant::ZERO + rate_limiter::REFILL * last as u32
    );
}

#[test]
fn rate_limiter_check_then_act_is_missed_by_fifo_and_caught_by_random() {
    fifo()
        .run(rate_limiter::run(Version::Buggy))
        .unwrap()
        .unwrap();
    let (seed, msg) = first_failure(16, || Box::pin(rate_limiter::run(Version::Buggy))).unwrap();
    assert!(msg.starts_with("rate limit broken"), "seed {seed}: {msg}");
}
