//! Job ids in Salt's format: the UTC time as `YYYYMMDDhhmmssffffff`.
//!
//! Each new jid is strictly greater than the previous one from this process,
//! so two jobs published in the same microsecond still differ. It must not
//! know about jobs themselves.

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

static LAST: Mutex<u128> = Mutex::new(0);

/// A fresh jid.
pub fn gen_jid() -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros()).unwrap_or_default();
    let micros = match LAST.lock() {
        Ok(mut last) => {
            let next = now.max(*last + 1);
            *last = next;
            next
        }
        Err(_) => now,
    };
    format_micros(micros)
}

/// The jid of the first microsecond of `secs` since the epoch (before 1970: that of 1970).
pub fn jid_at(secs: i64) -> String {
    format_micros(u128::try_from(secs).unwrap_or(0) * 1_000_000)
}

/// Whether `jid` looks like a Salt jid (20 digits).
pub fn is_jid(jid: &str) -> bool {
    jid.len() == 20 && jid.bytes().all(|b| b.is_ascii_digit())
}

fn format_micros(micros: u128) -> String {
    let secs = (micros / 1_000_000) as i64;
    let frac = (micros % 1_000_000) as u32;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}{m:02}{d:02}{:02}{:02}{:02}{frac:06}", rem / 3600, (rem % 3600) / 60, rem % 60)
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Salt's `jid_to_time`: `2024, Jan 05 13:01:02.000123`.
pub fn jid_to_time(jid: &str) -> String {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    if !is_jid(jid) {
        return String::new();
    }
    let month = jid[4..6].parse::<usize>().ok().and_then(|m| m.checked_sub(1)).and_then(|m| MONTHS.get(m));
    let Some(month) = month else { return String::new() };
    format!("{}, {month} {} {}:{}:{}.{}", &jid[..4], &jid[6..8], &jid[8..10], &jid[10..12], &jid[12..14], &jid[14..20])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_salt() {
        // 2024-02-29 13:01:02.000123 UTC
        assert_eq!(format_micros(1_709_211_662_000_123), "20240229130102000123");
        assert_eq!(format_micros(0), "19700101000000000000");
        assert_eq!(jid_to_time("20240229130102000123"), "2024, Feb 29 13:01:02.000123");
    }

    #[test]
    fn jids_increase() {
        let a = gen_jid();
        let b = gen_jid();
        assert!(is_jid(&a) && b > a);
    }
}
