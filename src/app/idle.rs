//! The kiosk's idle clock: when nobody has touched the screen for a while it says to reset the
//! view, then to start the attract loop and move it on from country to country, and when
//! someone touches it again, to stop.
//!
//! A pure state machine on plain `f64` seconds, so its timing is tested without an app. It
//! does not read input, keep the tour's countries or move the camera: the kiosk plugin feeds it
//! the time and every input, and carries out the [`IdleAction`]s it returns.

/// The idle clock's settings, in seconds without input.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IdleTimes {
    /// When the view resets (if that is before the attract loop starts).
    pub reset_after: f64,
    /// When the attract loop starts.
    pub attract_after: f64,
    /// How long the loop stays on each stop.
    pub dwell: f64,
}

impl From<&crate::config::KioskConfig> for IdleTimes {
    fn from(kiosk: &crate::config::KioskConfig) -> Self {
        Self {
            reset_after: kiosk.idle_reset_seconds.into(),
            attract_after: kiosk.attract_after_seconds.into(),
            dwell: kiosk.attract_dwell_seconds.into(),
        }
    }
}

/// Where the kiosk is between visitors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Someone is using the kiosk, or was until less than the reset time ago.
    Active,
    /// The view has been reset; waiting for input or the attract loop.
    Rested,
    /// The attract loop is on tour stop `stop`. It counts up for as long as the loop runs;
    /// the plugin takes it modulo the number of featured countries.
    Attract { stop: usize },
}

/// What the kiosk plugin must do now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdleAction {
    /// Close the panels and fly home.
    ResetView,
    /// Fly to tour stop `n` and show its headline card.
    ShowStop(usize),
    /// Input arrived during the loop: hide the card, stop touring, hand control back.
    EndAttract,
}

/// The phase and how long it has been idle. Idle time only moves forward: a clock that jumps
/// back counts as no time passing, so a changed system clock can neither panic nor fire a
/// burst of actions.
#[derive(Clone, Debug)]
pub struct IdleClock {
    times: IdleTimes,
    phase: Phase,
    /// The last finite time seen, to measure the next step from.
    last_now: f64,
    /// Seconds without input.
    idle: f64,
    /// In `Attract`, the idle time at which the next stop is due.
    next_stop: f64,
}

impl IdleClock {
    /// A clock that counts as input having just happened at `now`.
    pub fn new(times: IdleTimes, now: f64) -> Self {
        Self {
            times,
            phase: Phase::Active,
            last_now: now,
            idle: 0.0,
            next_stop: 0.0,
        }
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Any touch, click, key or wheel: ends the attract loop at once (returning
    /// [`IdleAction::EndAttract`] when it was running) and restarts the idle timers.
    pub fn input(&mut self, now: f64) -> Option<IdleAction> {
        self.advance(now);
        self.idle = 0.0;
        let was = std::mem::replace(&mut self.phase, Phase::Active);
        matches!(was, Phase::Attract { .. }).then_some(IdleAction::EndAttract)
    }

    /// Called every frame: the actions that fall due, in order. At most two: when a long frame
    /// passes both deadlines, [`IdleAction::ResetView`] comes before the first stop. A gap
    /// longer than several dwells still moves the tour on by one stop only, and it goes on
    /// from there, so the camera is never sent through a queue of flights.
    pub fn tick(&mut self, now: f64) -> impl Iterator<Item = IdleAction> + use<> {
        self.advance(now);
        let times = self.times;
        let (first, second) = match self.phase {
            Phase::Active | Phase::Rested if self.idle >= times.attract_after => {
                // The loop always starts from home; skipped only when a reset already ran.
                let reset = (self.phase == Phase::Active).then_some(IdleAction::ResetView);
                (reset, Some(self.show(0)))
            }
            Phase::Active if self.idle >= times.reset_after => {
                self.phase = Phase::Rested;
                (Some(IdleAction::ResetView), None)
            }
            Phase::Attract { stop } if self.idle >= self.next_stop => {
                (Some(self.show(stop + 1)), None)
            }
            Phase::Active | Phase::Rested | Phase::Attract { .. } => (None, None),
        };
        first.into_iter().chain(second)
    }

    /// Seconds from the last time seen until the next action falls due without input.
    pub fn next_due(&self) -> f64 {
        let at = match self.phase {
            Phase::Active => self.times.reset_after.min(self.times.attract_after),
            Phase::Rested => self.times.attract_after,
            Phase::Attract { .. } => self.next_stop,
        };
        (at - self.idle).max(0.0)
    }

    /// Moves to stop `stop`; the next is due a dwell from now, not from when this one was due,
    /// so every stop is shown for its full dwell even after a long frame.
    fn show(&mut self, stop: usize) -> IdleAction {
        self.phase = Phase::Attract { stop };
        self.next_stop = self.idle + self.times.dwell;
        IdleAction::ShowStop(stop)
    }

    /// Adds the time since the last call to the idle time; backwards or non-finite time adds
    /// nothing.
    fn advance(&mut self, now: f64) {
        if !now.is_finite() {
            return;
        }
        let step = now - self.last_now;
        self.last_now = now;
        if step > 0.0 {
            self.idle += step;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use IdleAction::*;

    const TIMES: IdleTimes = IdleTimes {
        reset_after: 60.0,
        attract_after: 90.0,
        dwell: 12.0,
    };

    fn tick(clock: &mut IdleClock, now: f64) -> Vec<IdleAction> {
        clock.tick(now).collect()
    }

    #[test]
    fn the_next_action_is_due_when_the_clock_will_act() {
        let mut clock = IdleClock::new(TIMES, 1000.0);
        assert_eq!(clock.next_due(), 60.0);
        assert_eq!(tick(&mut clock, 1045.0), []);
        assert_eq!(clock.next_due(), 15.0);
        assert_eq!(tick(&mut clock, 1000.0 + 15.0 + 45.0), [ResetView]);
        assert_eq!(clock.next_due(), 30.0);
        assert_eq!(tick(&mut clock, 1090.0), [ShowStop(0)]);
        assert_eq!(clock.next_due(), 12.0);
        // Each figure is exactly when the clock acts, not a moment before.
        assert_eq!(tick(&mut clock, 1101.9), []);
        assert_eq!(tick(&mut clock, 1102.0), [ShowStop(1)]);
        assert_eq!(clock.input(1105.0), Some(EndAttract));
        assert_eq!(clock.next_due(), 60.0);
    }

    #[test]
    fn idle_reset_attract_input_and_again() {
        let mut clock = IdleClock::new(TIMES, 1000.0);
        assert_eq!(clock.phase(), Phase::Active);
        assert_eq!(tick(&mut clock, 1059.5), []);
        assert_eq!(tick(&mut clock, 1060.0), [ResetView]);
        assert_eq!(clock.phase(), Phase::Rested);
        assert_eq!(tick(&mut clock, 1060.5), [], "the reset fires once");
        assert_eq!(tick(&mut clock, 1089.5), []);
        assert_eq!(tick(&mut clock, 1090.0), [ShowStop(0)]);
        assert_eq!(clock.phase(), Phase::Attract { stop: 0 });
        assert_eq!(tick(&mut clock, 1101.5), []);
        assert_eq!(tick(&mut clock, 1102.0), [ShowStop(1)]);
        assert_eq!(tick(&mut clock, 1114.0), [ShowStop(2)]);
        assert_eq!(clock.phase(), Phase::Attract { stop: 2 });
        assert_eq!(clock.input(1120.0), Some(EndAttract));
        assert_eq!(clock.phase(), Phase::Active);
        assert_eq!(
            clock.input(1121.0),
            None,
            "only the loop's end is an action"
        );
        assert_eq!(tick(&mut clock, 1180.5), []);
        assert_eq!(tick(&mut clock, 1181.0), [ResetView]);
        assert_eq!(
            tick(&mut clock, 1211.0),
            [ShowStop(0)],
            "the tour starts over"
        );
    }

    #[test]
    fn input_just_before_a_deadline_postpones_it() {
        let mut clock = IdleClock::new(TIMES, 0.0);
        assert_eq!(clock.input(59.9), None);
        assert_eq!(tick(&mut clock, 60.0), []);
        assert_eq!(tick(&mut clock, 119.8), []);
        assert_eq!(tick(&mut clock, 119.9), [ResetView]);
        assert_eq!(clock.input(149.8), None, "input while rested");
        assert_eq!(clock.phase(), Phase::Active);
        assert_eq!(
            tick(&mut clock, 150.0),
            [],
            "the attract deadline moved too"
        );
        assert_eq!(tick(&mut clock, 209.8), [ResetView]);
    }

    #[test]
    fn a_long_frame_fires_the_reset_before_the_first_stop() {
        let mut clock = IdleClock::new(TIMES, 0.0);
        assert_eq!(tick(&mut clock, 95.0), [ResetView, ShowStop(0)]);
        assert_eq!(clock.phase(), Phase::Attract { stop: 0 });
        assert_eq!(tick(&mut clock, 106.0), []);
        assert_eq!(
            tick(&mut clock, 107.0),
            [ShowStop(1)],
            "a dwell from when it showed"
        );
    }

    #[test]
    fn a_huge_gap_moves_the_tour_one_stop() {
        let mut clock = IdleClock::new(TIMES, 0.0);
        tick(&mut clock, 90.0);
        assert_eq!(tick(&mut clock, 90.0 + 12.0 * 100.0), [ShowStop(1)]);
        assert_eq!(tick(&mut clock, 90.0 + 12.0 * 100.5), []);
        assert_eq!(tick(&mut clock, 90.0 + 12.0 * 101.0), [ShowStop(2)]);
    }

    #[test]
    fn attract_before_reset_resets_first() {
        let times = IdleTimes {
            reset_after: 90.0,
            attract_after: 30.0,
            dwell: 10.0,
        };
        let mut clock = IdleClock::new(times, 0.0);
        assert_eq!(tick(&mut clock, 30.0), [ResetView, ShowStop(0)]);
        assert_eq!(tick(&mut clock, 40.0), [ShowStop(1)]);
        assert_eq!(
            tick(&mut clock, 90.0),
            [ShowStop(2)],
            "no reset in the middle of the tour"
        );
        let equal = IdleTimes {
            attract_after: 90.0,
            ..times
        };
        let mut clock = IdleClock::new(equal, 0.0);
        assert_eq!(tick(&mut clock, 90.0), [ResetView, ShowStop(0)]);
    }

    #[test]
    fn time_going_backwards_passes_no_time() {
        let mut clock = IdleClock::new(TIMES, 1000.0);
        assert_eq!(tick(&mut clock, 1050.0), []);
        assert_eq!(tick(&mut clock, 10.0), [], "the clock was set back");
        assert_eq!(tick(&mut clock, 19.5), []);
        assert_eq!(
            tick(&mut clock, 20.0),
            [ResetView],
            "50 s before it, 10 s after"
        );
        assert_eq!(tick(&mut clock, f64::NAN), []);
        assert_eq!(tick(&mut clock, f64::NEG_INFINITY), []);
        assert_eq!(
            tick(&mut clock, 50.0),
            [ShowStop(0)],
            "non-finite times are skipped"
        );
        assert_eq!(clock.input(-1e9), Some(EndAttract));
        assert_eq!(tick(&mut clock, -1e9 + 60.0), [ResetView]);
    }

    #[test]
    fn many_cycles_keep_working() {
        let mut clock = IdleClock::new(TIMES, 0.0);
        let mut now = 0.0;
        for cycle in 0..100_000 {
            // Someone uses it, then it idles through the reset and three stops, a tick a second.
            clock.input(now);
            let mut seen = Vec::new();
            for _ in 0..125 {
                now += 1.0;
                seen.extend(clock.tick(now));
            }
            assert_eq!(
                seen,
                [ResetView, ShowStop(0), ShowStop(1), ShowStop(2)],
                "cycle {cycle}"
            );
        }
    }
}
