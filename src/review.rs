//! What a person decides about their messages, whoever asks: the command line (`mark`,
//! `trust`, `lenders add`), the review page and the buttons of an alert all come here, so
//! that a correction means the same everywhere.

use anyhow::Result;

use crate::classify::{Engine, Input};
use crate::model::Category;
use crate::store::Store;

/// What a correction did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corrected {
    /// No message with that id.
    NoSuchMessage,
    /// There was no correction to clear.
    NothingToClear { engine: Category },
    /// The category now in force, and the engine's own.
    Done {
        now: Option<Category>,
        engine: Category,
    },
}

/// Sets (or with `None` clears) the person's category for message `id`. The headline and
/// advice are written again for the category now in force, with what dunwatch knows of the
/// person; the engine's reasons stay as they were; what the corrections teach is recounted.
pub fn correct(
    store: &Store,
    engine: &Engine,
    id: i64,
    category: Option<Category>,
) -> Result<Corrected> {
    let Some(entry) = store.entry(id)? else {
        return Ok(Corrected::NoSuchMessage);
    };
    let engine_said = entry.engine_category.unwrap_or(entry.category);
    if category.is_none() && entry.engine_category.is_none() {
        return Ok(Corrected::NothingToClear {
            engine: engine_said,
        });
    }
    let person = engine.person_in(store)?;
    let rewritten = engine.classify_as(
        &Input::at(&entry.sender, &entry.body, entry.ts_ms),
        &person,
        category.unwrap_or(engine_said),
    );
    store.mark(
        id,
        category,
        &rewritten.headline,
        &rewritten.advice,
        &engine.tuning().learned,
    )?;
    Ok(Corrected::Done {
        now: category,
        engine: engine_said,
    })
}
