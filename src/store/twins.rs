//! One message, two clocks: an export without zones (an iMazing CSV, a vMessage file) gives
//! the phone's wall-clock time, read in the zone dunwatch assumes (`phone_timezone`, else
//! the computer's). When that is not the phone's zone, the same message from a zoned export
//! (SMS Backup & Restore, SMS Import/Export) lands a whole zone offset away, and its key
//! differs. These twins are found here and stored once (migration 10):
//!
//! - a zoneless message whose time, moved by the difference between the assumed offset and
//!   any offset in use in the world, gives a key already stored is known;
//! - a zoned message finds zoneless rows of the same sender a whole number of quarter hours
//!   away with the same key at their own time; the zoned time is the true one, so the row
//!   takes it (and its key) and the message is known.

use rusqlite::params;

use super::key::message_key_normalized;
use super::{Batch, NewMessage, StoreError};

/// The UTC offsets in use, in minutes: every zone of the tz database lies on one of these
/// (quarter hours from UTC−12 to UTC+14).
const OFFSETS_MIN: [i32; 39] = [
    -720, -660, -600, -570, -540, -480, -420, -360, -300, -240, -210, -180, -150, -120, -60, 0, 60,
    120, 180, 210, 240, 270, 300, 330, 345, 360, 390, 420, 480, 525, 540, 570, 600, 630, 660, 720,
    765, 780, 840,
];

/// The farthest apart two offsets can be: UTC−12 and UTC+14.
const MAX_SPREAD_MS: i64 = 26 * 3600 * 1000;
/// At most this many zoneless rows of one sender near a time are compared: a hostile file of
/// one sender's messages in one hour cannot make each insert read them all.
const MAX_CANDIDATES: i64 = 64;

/// Whether the database holds messages of each kind of time: a twin is only looked for
/// among the other kind, so a person whose exports all carry zones (or none do) pays for no
/// lookup at all.
#[derive(Debug, Clone, Default)]
pub(super) struct Kinds {
    zoned: std::cell::Cell<bool>,
    zoneless: std::cell::Cell<bool>,
}

impl Kinds {
    pub(super) fn stored(tx: &rusqlite::Transaction<'_>) -> Result<Kinds, StoreError> {
        let exists = |zoneless: bool| -> Result<bool, StoreError> {
            Ok(tx
                .prepare_cached(
                    "SELECT EXISTS(SELECT 1 FROM message WHERE zoneless = ?1 AND ts IS NOT NULL)",
                )?
                .query_row([zoneless], |r| r.get(0))?)
        };
        Ok(Kinds {
            zoned: exists(false)?.into(),
            zoneless: exists(true)?.into(),
        })
    }

    /// A message of this kind was stored in the batch.
    pub(super) fn note(&self, zoneless: bool) {
        if zoneless {
            self.zoneless.set(true);
        } else {
            self.zoned.set(true);
        }
    }
}

impl Batch<'_> {
    /// True when `new` is a twin of a message already stored (and, for a zoned message, the
    /// zoneless row now carries the zoned time).
    pub(super) fn stored_as_twin(&self, new: &NewMessage<'_>) -> Result<bool, StoreError> {
        let Some(ts) = new.message.ts_ms else {
            return Ok(false);
        };
        match new.message.zoneless {
            Some(assumed) if self.twins.zoned.get() => self.zoned_twin_of(new, ts, assumed),
            None if self.twins.zoneless.get() => self.zoneless_twin_of(new, ts),
            _ => Ok(false),
        }
    }

    fn zoned_twin_of(
        &self,
        new: &NewMessage<'_>,
        ts: i64,
        assumed_s: i32,
    ) -> Result<bool, StoreError> {
        let m = new.message;
        for offset_min in OFFSETS_MIN {
            let shift_s = i64::from(assumed_s) - i64::from(offset_min) * 60;
            if shift_s == 0 {
                continue;
            }
            let key = message_key_normalized(
                new.sender_norm,
                m.direction,
                Some(ts + shift_s * 1000),
                &m.body,
            );
            if self.contains(&key)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn zoneless_twin_of(&self, new: &NewMessage<'_>, ts: i64) -> Result<bool, StoreError> {
        let m = new.message;
        let mut stmt = self.tx.prepare_cached(
            "SELECT id, ts, key FROM message
             WHERE zoneless = 1 AND sender_norm = ?1 AND ts BETWEEN ?2 AND ?3
             LIMIT ?4",
        )?;
        let rows = stmt.query_map(
            params![
                new.sender_norm,
                ts - MAX_SPREAD_MS,
                ts + MAX_SPREAD_MS,
                MAX_CANDIDATES
            ],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                ))
            },
        )?;
        // Keys count whole seconds; a quarter hour apart in whole seconds.
        let secs = ts.div_euclid(1000);
        let mut twin = None;
        for row in rows {
            let (id, other_ts, key) = row?;
            let apart = other_ts.div_euclid(1000) - secs;
            if apart == 0 || apart % 900 != 0 {
                continue;
            }
            let same =
                message_key_normalized(new.sender_norm, m.direction, Some(other_ts), &m.body);
            if key == same {
                twin = Some(id);
                break;
            }
        }
        drop(stmt);
        let Some(id) = twin else {
            return Ok(false);
        };
        if !self.contains(&new.key)? {
            self.tx
                .prepare_cached("UPDATE message SET ts = ?2, key = ?3, zoneless = 0 WHERE id = ?1")?
                .execute(params![id, ts, &new.key[..]])?;
        }
        Ok(true)
    }
}
