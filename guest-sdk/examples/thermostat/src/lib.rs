//! `thermostat`: watches `/sensors/**` and keeps an alert at `/alerts/<rest>` while the sensor
//! `/sensors/<rest>` reads above the configured threshold.
//!
//! * A reading is the sensor's value if it is a number, or its numeric field `"c"` if it is an
//!   object; anything else is logged as a warning and ignored. A delete counts as a reading at or
//!   below the threshold.
//! * The threshold is `config().threshold`: 30 in the manifest, overridable by the operator in
//!   `<plugins-dir>/thermostat.config.json`.
//! * Crossing above: `/alerts/<rest>` = `{"sensor","c","threshold","since"}` and an `alert` event
//!   on `/thermostat/alerts`. Back at or below (or deleted): the alert is deleted and a `clear`
//!   event published. Readings that do not cross do nothing, so there are no duplicate alerts.
//! * `thermostat.status` `{}` → `{"threshold": t, "alerts": [alert, ...]}`.
//!
//! Permissions: `publish`, `clock`, `log`.

use pando_guest::{
    clock_ms, config, export_op, init, json_object, kv, log, on_event, publish, Call, Error,
    ErrorCode, Event, Json, Result,
};

const SENSORS: &str = "/sensors/";
const ALERTS: &str = "/alerts";
const TOPIC: &str = "/thermostat/alerts";

export_op!(status => status);
on_event!(on_change);
init!(check_config);

/// The configured threshold, as configured (so `30` stays an integer in what the plugin writes)
/// and as an `f64` for comparisons.
struct Threshold {
    json: Json,
    value: f64,
}

fn threshold() -> Result<Threshold> {
    let config = config()?;
    match config.get("threshold") {
        Some(json) if json.is_number() => Ok(Threshold {
            value: json.as_f64().unwrap_or_default(),
            json: json.clone(),
        }),
        Some(other) => Err(Error::bad_request(format!(
            "config 'threshold' must be a number, not {} ({other})",
            other.type_name()
        ))),
        None => Err(Error::bad_request("config has no 'threshold'")),
    }
}

/// Refuses to start with a threshold that is not a number, naming the problem at load time.
fn check_config() -> Result<()> {
    threshold().map(|_| ())
}

/// The reading in a sensor value: the value itself if it is a number, else its numeric `"c"`.
fn reading_of(value: &Json) -> Option<&Json> {
    if value.is_number() {
        return Some(value);
    }
    value.get("c").filter(|c| c.is_number())
}

fn on_change(event: Event) -> Result<()> {
    let (key, value) = match event {
        Event::Change { key, value, .. } => (key, value),
        Event::Published { .. } => return Ok(()),
    };
    let rest = match key.strip_prefix(SENSORS) {
        Some(rest) if !rest.is_empty() => rest,
        _ => return Ok(()),
    };
    let reading = match &value {
        None => None,
        Some(value) => match reading_of(value) {
            Some(c) => Some(c.clone()),
            None => {
                log::warn(format!("{key}: ignoring {value}, which is neither a number nor an object with a numeric \"c\""));
                return Ok(());
            }
        },
    };
    let threshold = threshold()?;
    let alert_key = format!("{ALERTS}/{rest}");
    let alerting = kv::get(&alert_key)?.is_some();
    match reading {
        Some(c) if c.as_f64().map_or(false, |c| c > threshold.value) => {
            if !alerting {
                raise(&key, &alert_key, c, threshold)?;
            }
        }
        c => {
            if alerting {
                clear(&key, &alert_key, c, threshold)?;
            }
        }
    }
    Ok(())
}

fn raise(sensor: &str, alert_key: &str, c: Json, threshold: Threshold) -> Result<()> {
    let alert = json_object! {
        "sensor" => sensor,
        "c" => c.clone(),
        "threshold" => threshold.json.clone(),
        "since" => clock_ms(),
    };
    // Only if there is still no alert: never two alerts for one crossing.
    match kv::set_if(alert_key, &alert, 0) {
        Err(e) if e.is(ErrorCode::Conflict) => return Ok(()),
        other => other?,
    };
    publish(
        TOPIC,
        &json_object! { "sensor" => sensor, "state" => "alert", "c" => c.clone(), "threshold" => threshold.json.clone() },
    )?;
    log::info(format!(
        "{sensor} reads {c}, above {}: alert raised at {alert_key}",
        threshold.json
    ));
    Ok(())
}

fn clear(sensor: &str, alert_key: &str, c: Option<Json>, threshold: Threshold) -> Result<()> {
    if !kv::delete(alert_key)? {
        return Ok(()); // Already cleared.
    }
    let why = match &c {
        Some(c) => format!("reads {c}, not above {}", threshold.json),
        None => "was deleted".to_owned(),
    };
    publish(
        TOPIC,
        &json_object! { "sensor" => sensor, "state" => "clear", "c" => c, "threshold" => threshold.json },
    )?;
    log::info(format!("{sensor} {why}: alert cleared"));
    Ok(())
}

/// `thermostat.status`: the threshold and every alert.
fn status(call: &Call) -> Result<Json> {
    call.only(&[])?;
    let threshold = threshold()?;
    let alerts = kv::scan_all(ALERTS)
        .map(|entry| entry.map(|e| e.value))
        .collect::<Result<Vec<Json>>>()?;
    Ok(json_object! { "threshold" => threshold.json, "alerts" => alerts })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pando_guest::testing;

    fn setup() {
        testing::set_config(json_object! { "threshold" => 30 });
        testing::set_clock(1234);
    }

    fn sense(key: &str, value: &str) {
        testing::deliver(
            on_change,
            &testing::change(key, Some(Json::parse(value).unwrap())),
        )
        .unwrap();
    }

    fn published() -> Vec<String> {
        testing::take_published()
            .into_iter()
            .map(|(topic, payload)| {
                assert_eq!(topic, TOPIC);
                payload.to_string()
            })
            .collect()
    }

    #[test]
    fn alert_then_clear() {
        setup();
        sense("/sensors/t1", "25");
        assert!(published().is_empty());
        assert_eq!(testing::kv_value("/alerts/t1"), None);

        sense("/sensors/t1", r#"{"c":35.5,"unit":"C"}"#);
        assert_eq!(
            testing::kv_value("/alerts/t1").unwrap().to_string(),
            r#"{"sensor":"/sensors/t1","c":35.5,"threshold":30,"since":1234}"#
        );
        assert_eq!(
            published(),
            [r#"{"sensor":"/sensors/t1","state":"alert","c":35.5,"threshold":30}"#]
        );

        // Still above: nothing new.
        testing::set_clock(2000);
        sense("/sensors/t1", "40");
        assert!(published().is_empty());
        assert_eq!(
            testing::kv_value("/alerts/t1").unwrap()["since"],
            Json::Int(1234)
        );

        // Exactly at the threshold is not above it.
        sense("/sensors/t1", "30");
        assert_eq!(testing::kv_value("/alerts/t1"), None);
        assert_eq!(
            published(),
            [r#"{"sensor":"/sensors/t1","state":"clear","c":30,"threshold":30}"#]
        );
        sense("/sensors/t1", "20");
        assert!(published().is_empty());
        let logs = testing::logs();
        assert_eq!(logs.len(), 2);
        assert!(
            logs.iter().all(|(level, _)| *level == log::Level::Info),
            "{logs:?}"
        );
    }

    #[test]
    fn delete_clears_and_nested_keys_map_to_nested_alerts() {
        setup();
        sense("/sensors/hall/north/t", r#"{"c":31}"#);
        assert!(testing::kv_value("/alerts/hall/north/t").is_some());
        assert_eq!(published().len(), 1);
        testing::deliver(on_change, &testing::change("/sensors/hall/north/t", None)).unwrap();
        assert_eq!(testing::kv_value("/alerts/hall/north/t"), None);
        assert_eq!(
            published(),
            [r#"{"sensor":"/sensors/hall/north/t","state":"clear","c":null,"threshold":30}"#]
        );
        // A delete without an alert does nothing.
        testing::deliver(on_change, &testing::change("/sensors/other", None)).unwrap();
        assert!(published().is_empty());
    }

    #[test]
    fn unusable_readings_are_logged_and_ignored() {
        setup();
        sense("/sensors/t1", "35");
        published();
        for value in [r#""hot""#, r#"{"c":"35"}"#, r#"{"temp":20}"#, "true", "[1]"] {
            let before = testing::logs().len();
            sense("/sensors/t1", value);
            let logs = testing::logs();
            assert_eq!(logs.len(), before + 1, "{value}");
            assert_eq!(logs.last().unwrap().0, log::Level::Warn);
        }
        assert!(published().is_empty());
        assert!(testing::kv_value("/alerts/t1").is_some());
    }

    #[test]
    fn threshold_from_config() {
        testing::set_config(json_object! { "threshold" => 10.5 });
        sense("/sensors/t1", "11");
        assert_eq!(
            published(),
            [r#"{"sensor":"/sensors/t1","state":"alert","c":11,"threshold":10.5}"#]
        );
        testing::set_config(json_object! { "threshold" => "high" });
        let delivery = testing::change("/sensors/t1", Some(Json::from(1)));
        assert_eq!(
            testing::deliver(on_change, &delivery).unwrap_err().code(),
            ErrorCode::BadRequest
        );
        assert!(testing::run_init(check_config).is_err());
        testing::set_config(json_object! { "threshold" => 30 });
        assert!(testing::run_init(check_config).is_ok());
    }

    #[test]
    fn status_lists_alerts() {
        setup();
        assert_eq!(
            testing::call_op(status, &Json::object())
                .unwrap()
                .to_string(),
            r#"{"threshold":30,"alerts":[]}"#
        );
        sense("/sensors/b", "31");
        sense("/sensors/a", r#"{"c":32}"#);
        sense("/sensors/c", "3");
        let out = testing::call_op(status, &Json::object()).unwrap();
        let refused = testing::call_op(status, &Json::object().with("verbose", true)).unwrap_err();
        assert_eq!(refused.message(), "unknown argument 'verbose' (this op takes no arguments)");
        assert_eq!(
            out.to_string(),
            r#"{"threshold":30,"alerts":[{"sensor":"/sensors/a","c":32,"threshold":30,"since":1234},{"sensor":"/sensors/b","c":31,"threshold":30,"since":1234}]}"#
        );
    }

    #[test]
    fn other_deliveries_are_ignored() {
        setup();
        testing::deliver(on_change, &testing::event("/sensors/x", Json::from(99))).unwrap();
        testing::deliver(
            on_change,
            &testing::change("/sensors", Some(Json::from(99))),
        )
        .unwrap();
        testing::deliver(
            on_change,
            &testing::change("/elsewhere/x", Some(Json::from(99))),
        )
        .unwrap();
        assert!(published().is_empty());
        assert!(testing::kv_entries()
            .iter()
            .all(|e| !e.key.starts_with("/alerts")));
    }
}
