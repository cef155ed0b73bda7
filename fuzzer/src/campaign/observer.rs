//! The observer that carries the last sequence's exchanges and findings from the executor to the
//! objective feedback. It lives only inside this process, so nothing of it is serialised.

use std::borrow::Cow;

use libafl::observers::Observer;
use libafl_bolts::Named;
use serde::{Deserialize, Serialize};

use super::runner::SeqRun;

pub const EXCHANGE_OBSERVER: &str = "ExchangeObserver";

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ExchangeObserver {
    #[serde(skip)]
    last: SeqRun,
}

impl ExchangeObserver {
    pub fn new() -> Self {
        ExchangeObserver::default()
    }

    pub fn set(&mut self, run: SeqRun) {
        self.last = run;
    }

    pub fn last(&self) -> &SeqRun {
        &self.last
    }
}

impl Named for ExchangeObserver {
    fn name(&self) -> &Cow<'static, str> {
        static NAME: Cow<'static, str> = Cow::Borrowed(EXCHANGE_OBSERVER);
        &NAME
    }
}

impl<I, S> Observer<I, S> for ExchangeObserver {
    fn pre_exec(&mut self, _state: &mut S, _input: &I) -> Result<(), libafl::Error> {
        self.last = SeqRun::default();
        Ok(())
    }
}
