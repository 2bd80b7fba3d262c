//! Readable names for ids: API keys and workspaces as the Admin API lists them
//! (`GET /v1/organizations/api_keys`, `/workspaces`), so usage is shown by name, by id where
//! no name is known.

use std::collections::HashMap;

use serde::Deserialize;

use crate::sources::admin_api::client::{AdminClient, ApiError};

const API_KEYS_PATH: &str = "/v1/organizations/api_keys";
const WORKSPACES_PATH: &str = "/v1/organizations/workspaces";
/// Pages of 1000 read at most per list.
const MAX_PAGES: usize = 20;

/// An item of either list: its id and name.
#[derive(Debug, Clone, Deserialize)]
struct Named {
    id: String,
    #[serde(default)]
    name: Option<String>,
}

/// Names of API keys and workspaces by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Names {
    api_keys: HashMap<String, String>,
    workspaces: HashMap<String, String>,
}

impl Names {
    /// Reads both lists; a list that cannot be read leaves its ids unnamed and is said in the
    /// returned note.
    pub(crate) async fn fetch(client: &AdminClient) -> (Names, Option<String>) {
        let mut problems = Vec::new();
        let mut read = |what: &str, r: Result<Vec<Named>, ApiError>| match r {
            Ok(items) => items
                .into_iter()
                .filter_map(|n| Some((n.id, n.name.filter(|s| !s.trim().is_empty())?)))
                .collect(),
            Err(e) => {
                problems.push(format!("{what} ({e})"));
                HashMap::new()
            }
        };
        let api_keys = read(
            "key names",
            client.list_after_id(API_KEYS_PATH, MAX_PAGES).await,
        );
        let workspaces = read(
            "workspace names",
            client.list_after_id(WORKSPACES_PATH, MAX_PAGES).await,
        );
        let note =
            (!problems.is_empty()).then(|| format!("ids shown for unread {}", problems.join(", ")));
        (
            Names {
                api_keys,
                workspaces,
            },
            note,
        )
    }

    /// The API key's name, else its id.
    pub(crate) fn api_key(&self, id: &str) -> String {
        self.api_keys
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_owned())
    }

    /// The workspace's name, else its id.
    pub(crate) fn workspace(&self, id: &str) -> String {
        self.workspaces
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_owned())
    }

    /// Names from explicit pairs (tests).
    #[cfg(test)]
    pub(crate) fn from_pairs(api_keys: &[(&str, &str)], workspaces: &[(&str, &str)]) -> Names {
        let map = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        Names {
            api_keys: map(api_keys),
            workspaces: map(workspaces),
        }
    }
}
