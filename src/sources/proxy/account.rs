//! One exchange's accounting: what the request said about its caller, what the response was
//! worth, and the records that go to the aggregator — attributed, keyed like every other
//! source's copy of the same request, Batch results counted once.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::oneshot;

use super::attribution::Caller;
use super::batches::{Batches, Download};
use super::health::Health;
use crate::parse::api::{BatchResult, Unaccounted};
use crate::usage::UsageEvent;

/// What the request body said, sent by the request's body once read whole.
#[derive(Debug, Default)]
pub(super) struct RequestFacts {
    /// `metadata.user_id` of a Messages request.
    pub(super) user: Option<String>,
    /// `(custom_id, user)` of a batch's requests that name a user.
    pub(super) batch_users: Vec<(String, String)>,
}

/// The accounting side of one request and its response.
#[derive(Debug)]
pub(super) struct Exchange {
    health: Arc<Health>,
    batches: Arc<Batches>,
    /// The response's `request-id`.
    request_id: Option<String>,
    /// When the request arrived.
    at: DateTime<Utc>,
    caller: Caller,
    facts: Option<oneshot::Receiver<RequestFacts>>,
    read: Option<RequestFacts>,
    /// A results download: the batch and how it is attributed.
    download: Option<(String, Download)>,
}

impl Exchange {
    /// The accounting of a request that arrived `at` from `caller`; its body's facts arrive on
    /// `facts`.
    pub(super) fn new(
        health: Arc<Health>,
        batches: Arc<Batches>,
        at: DateTime<Utc>,
        caller: Caller,
        facts: oneshot::Receiver<RequestFacts>,
    ) -> Exchange {
        Exchange {
            health,
            batches,
            request_id: None,
            at,
            caller,
            facts: Some(facts),
            read: None,
            download: None,
        }
    }

    /// The response's `request-id` header.
    pub(super) fn set_request_id(&mut self, id: Option<String>) {
        self.request_id = id;
    }

    /// The counts this exchange reports to.
    pub(super) fn health(&self) -> &Health {
        &self.health
    }

    /// What the request body said (once it was read whole; nothing before).
    pub(super) fn facts(&mut self) -> &RequestFacts {
        static NONE: RequestFacts = RequestFacts {
            user: None,
            batch_users: Vec::new(),
        };
        if self.read.is_none()
            && let Some(rx) = &mut self.facts
            && let Ok(facts) = rx.try_recv()
        {
            self.read = Some(facts);
            self.facts = None;
        }
        self.read.as_ref().unwrap_or(&NONE)
    }

    /// The request's facts, waiting briefly for them (the upstream answered, so its body was
    /// sent; the body's task may not have said so yet).
    pub(super) async fn wait_facts(&mut self) -> RequestFacts {
        if let Some(rx) = self.facts.take() {
            let wait = std::time::Duration::from_secs(2);
            if let Ok(Ok(facts)) = tokio::time::timeout(wait, rx).await {
                return facts;
            }
        }
        self.read.take().unwrap_or_default()
    }

    /// The context the response readers key and time their records with.
    pub(super) fn context(&self) -> crate::parse::api::ApiContext<'_> {
        crate::parse::api::ApiContext {
            request_id: self.request_id.as_deref(),
            at: self.at,
        }
    }

    /// The attribution of the request's caller.
    pub(super) fn attribution(&mut self) -> crate::usage::Attribution {
        let user = self.facts().user.clone();
        self.caller.attribution(user.as_deref())
    }

    /// A Messages response was read to its end (or as far as it went).
    pub(super) fn message(mut self, worth: Result<UsageEvent, Unaccounted>) {
        match worth {
            Ok(mut event) => {
                event.attribution = self.attribution();
                self.health.record(event);
            }
            Err(why) => self.health.failure(format!("POST /v1/messages: {why}")),
        }
    }

    /// This exchange downloads the results of batch `id`.
    pub(super) fn download(&mut self, id: &str) {
        let download = self.batches.download(id);
        self.download = Some((id.to_owned(), download));
    }

    /// When the results of the download are counted: the batch's end, else now.
    pub(super) fn results_time(&self) -> DateTime<Utc> {
        self.download
            .as_ref()
            .and_then(|(_, d)| d.ended_at)
            .unwrap_or(self.at)
    }

    /// One result line of a download.
    pub(super) fn result(&mut self, result: BatchResult) {
        let Some((id, download)) = &self.download else {
            return;
        };
        match result {
            Ok((custom_id, mut event)) => {
                let Some(key) = event.key else { return };
                if download.complete || !self.batches.count(id, key) {
                    return;
                }
                let user = self.batches.user(id, &custom_id);
                event.attribution = match &download.attribution {
                    Some(created) => with_user(created.clone(), user),
                    None => self.caller.attribution(user.as_deref()),
                };
                self.health.record(event);
            }
            Err(why) => self.health.failure(format!("batch {id} results: {why}")),
        }
    }

    /// The download ended; `whole`: read to its end (later downloads then count nothing).
    pub(super) fn results_end(self, whole: bool) {
        if let Some((id, _)) = &self.download {
            if whole {
                self.batches.downloaded_whole(id);
            } else {
                self.health
                    .failure(format!("batch {id} results: the download was cut"));
            }
        }
    }
}

/// The creating request's attribution with a request's own user (a header tag `user` of the
/// creating request wins).
fn with_user(mut a: crate::usage::Attribution, user: Option<String>) -> crate::usage::Attribution {
    if let Some(user) = user
        && a.tag("user").is_none()
    {
        a.tags.push((Arc::from("user"), Arc::from(user)));
        a.tags.sort();
    }
    a
}
