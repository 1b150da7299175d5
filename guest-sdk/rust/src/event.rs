//! Deliveries to `pando_on_event`: committed changes and published events.

use crate::error::{Error, Result};
use crate::json::Json;

/// Something the plugin listens to (manifest `listens`), delivered to the handler given to
/// [`on_event!`](crate::on_event).
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A committed change to a key matching `listens.changes`.
    Change {
        /// The key that changed, e.g. `/sensors/t1`.
        key: String,
        /// The new value; `None` for a delete (a value of JSON `null` arrives the same way).
        value: Option<Json>,
        /// The revision of the change.
        revision: u64,
        /// When it was committed, Unix milliseconds.
        timestamp: i64,
        /// The node the change came from (`local` for this one).
        origin: String,
        /// Who wrote it, e.g. `user:alice` or `plugin:thermostat`.
        writer: String,
    },
    /// An event published on a topic matching `listens.events`.
    Published {
        /// The topic, e.g. `/alerts/fire`.
        topic: String,
        /// The payload.
        payload: Json,
        /// Who published it, e.g. `plugin:smoke`.
        publisher: String,
        /// When it was published, Unix milliseconds.
        timestamp: i64,
    },
}

impl Event {
    /// Reads a delivery: `{"kind":"change",...}` or `{"kind":"event",...}` (ABI v1, "Events").
    /// `Ok(None)` for a kind this SDK does not know, which a handler should not see.
    pub fn from_json(json: &Json) -> Result<Option<Event>> {
        let malformed =
            || Error::plugin_failed(format!("malformed delivery from the host: {json}"));
        let text = |field: &str| {
            json[field]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(malformed)
        };
        let event = match json["kind"].as_str() {
            Some("change") => Event::Change {
                key: text("key")?,
                value: Some(json["value"].clone()).filter(|v| !v.is_null()),
                revision: json["revision"].as_u64().ok_or_else(malformed)?,
                timestamp: json["timestamp"].as_i64().unwrap_or(0),
                origin: json["origin"].as_str().unwrap_or_default().to_owned(),
                writer: json["writer"].as_str().unwrap_or_default().to_owned(),
            },
            Some("event") => Event::Published {
                topic: text("topic")?,
                payload: json["payload"].clone(),
                publisher: json["publisher"].as_str().unwrap_or_default().to_owned(),
                timestamp: json["timestamp"].as_i64().unwrap_or(0),
            },
            Some(_) => return Ok(None),
            None => return Err(malformed()),
        };
        Ok(Some(event))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_abi_examples() {
        let change = Json::parse(
            r#"{"kind":"change","key":"/sensors/t1","value":{"c":21.5},"revision":7,"timestamp":1000,"origin":"local","writer":"user:x"}"#,
        )
        .unwrap();
        assert_eq!(
            Event::from_json(&change).unwrap(),
            Some(Event::Change {
                key: "/sensors/t1".into(),
                value: Some(Json::object().with("c", 21.5)),
                revision: 7,
                timestamp: 1000,
                origin: "local".into(),
                writer: "user:x".into(),
            })
        );
        let delete = Json::parse(r#"{"kind":"change","key":"/a","value":null,"revision":8,"timestamp":1,"origin":"local","writer":"u"}"#).unwrap();
        assert!(matches!(
            Event::from_json(&delete).unwrap(),
            Some(Event::Change { value: None, .. })
        ));
        let event = Json::parse(
            r#"{"kind":"event","topic":"/alerts/fire","payload":{"level":3},"publisher":"plugin:smoke","timestamp":2000}"#,
        )
        .unwrap();
        assert_eq!(
            Event::from_json(&event).unwrap(),
            Some(Event::Published {
                topic: "/alerts/fire".into(),
                payload: Json::object().with("level", 3),
                publisher: "plugin:smoke".into(),
                timestamp: 2000,
            })
        );
        assert_eq!(
            Event::from_json(&Json::parse(r#"{"kind":"future"}"#).unwrap()).unwrap(),
            None
        );
        assert!(Event::from_json(&Json::parse(r#"{"kind":"change"}"#).unwrap()).is_err());
        assert!(Event::from_json(&Json::Null).is_err());
    }
}
