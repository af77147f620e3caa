#include "core/store/schema.h"

namespace rs::schema {

// Notes on the design:
// - Nothing a filter rejects is ever deleted: rows keep their scores and a
//   reject_reason (NULL = kept), so changing a threshold re-decides in place.
// - images are files (or archive members copied into the project), counted
//   once however many documents reference them; image_refs keeps every
//   reference for provenance. A refused reference (remote, outside the
//   corpus, missing) is an image row with `refusal` set and no path.
// - Curator decisions live in their own table and always win (stage 4).
const QVector<QStringList> &migrations()
{
    static const QVector<QStringList> all = {
        // 0 -> 1: the stage-1 store.
        {
            QStringLiteral("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"),
            QStringLiteral("CREATE TABLE recipe (key TEXT PRIMARY KEY, value TEXT NOT NULL)"),
            QStringLiteral("CREATE TABLE sources ("
                           " id INTEGER PRIMARY KEY, format TEXT NOT NULL, path TEXT NOT NULL,"
                           " images_root TEXT, added_at TEXT NOT NULL, UNIQUE (format, path))"),
            QStringLiteral("CREATE TABLE documents ("
                           " id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL REFERENCES sources(id),"
                           " doc_key TEXT NOT NULL UNIQUE, source_path TEXT, url TEXT, title TEXT,"
                           " license TEXT, encoding TEXT, warnings TEXT)"),
            QStringLiteral("CREATE TABLE images ("
                           " id INTEGER PRIMARY KEY, image_key TEXT NOT NULL UNIQUE,"
                           " path TEXT, refusal TEXT,"
                           " probed INTEGER NOT NULL DEFAULT 0, failure TEXT, detail TEXT,"
                           " width INTEGER, height INTEGER, bytes INTEGER, format TEXT,"
                           " sha256 TEXT, phash INTEGER,"
                           " reject_reason TEXT, duplicate_of INTEGER,"
                           // Stage 4: cluster of the image embedding, similarity to its
                           // centre, and whether balance sampling kept it (NULL = not run).
                           " cluster INTEGER, cluster_score REAL, sampled INTEGER, sample_reason TEXT)"),
            QStringLiteral("CREATE TABLE image_refs ("
                           " id INTEGER PRIMARY KEY, image_id INTEGER NOT NULL REFERENCES images(id),"
                           " document_id INTEGER NOT NULL REFERENCES documents(id), position INTEGER NOT NULL,"
                           " src TEXT, alt TEXT, title TEXT, caption TEXT, matched_block INTEGER)"),
            QStringLiteral("CREATE INDEX image_refs_image ON image_refs(image_id)"),
            QStringLiteral("CREATE INDEX image_refs_document ON image_refs(document_id)"),
            QStringLiteral("CREATE TABLE sentences ("
                           " id INTEGER PRIMARY KEY, document_id INTEGER NOT NULL REFERENCES documents(id),"
                           " position INTEGER NOT NULL, block INTEGER NOT NULL, kind TEXT NOT NULL,"
                           " text TEXT NOT NULL, image_ref_id INTEGER,"
                           " words INTEGER NOT NULL, entropy REAL NOT NULL,"
                           " has_url INTEGER NOT NULL, has_email INTEGER NOT NULL, has_emoji INTEGER NOT NULL,"
                           " dedup_key TEXT NOT NULL, reject_reason TEXT, duplicate_of INTEGER)"),
            QStringLiteral("CREATE INDEX sentences_document ON sentences(document_id, position)"),
            // Which sentence is the known-right text for an image (alt, title,
            // figure caption, MMC4's matched sentence): evaluation ground truth.
            QStringLiteral("CREATE TABLE ground_truth ("
                           " image_id INTEGER NOT NULL, sentence_id INTEGER NOT NULL, kind TEXT NOT NULL,"
                           " PRIMARY KEY (image_id, sentence_id))"),
            QStringLiteral("CREATE TABLE stages ("
                           " name TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, finished_at TEXT NOT NULL,"
                           " summary TEXT)"),
            QStringLiteral("CREATE TABLE issues ("
                           " id INTEGER PRIMARY KEY, stage TEXT, severity TEXT NOT NULL, item_kind TEXT,"
                           " item_id INTEGER, text TEXT NOT NULL, context TEXT, at TEXT NOT NULL)"),
            // Stage 2: the realistic texts retrieved for each image, best first.
            QStringLiteral("CREATE TABLE retrievals ("
                           " image_id INTEGER NOT NULL, rank INTEGER NOT NULL, sentence_id INTEGER NOT NULL,"
                           " score REAL NOT NULL, PRIMARY KEY (image_id, rank))"),
            // Stage 3: one synthetic text per image with the evidence it was
            // made from. input_hash covers every input (texts, evidence,
            // prompt, backend, model), so a rerun with the same inputs reuses it.
            QStringLiteral("CREATE TABLE generations ("
                           " image_id INTEGER PRIMARY KEY, input_hash TEXT NOT NULL, caption TEXT, tags TEXT,"
                           " synthetic_text TEXT, generator TEXT NOT NULL, model TEXT, prompt_version TEXT,"
                           " evidence TEXT, similarity REAL, error TEXT, created_at TEXT NOT NULL)"),
            // Expert findings (OCR words/lines, faces, quality, tags); boxes in
            // original-image pixels.
            QStringLiteral("CREATE TABLE expert_findings ("
                           " id INTEGER PRIMARY KEY, image_id INTEGER NOT NULL, expert TEXT NOT NULL, kind TEXT NOT NULL,"
                           " level TEXT, x REAL, y REAL, w REAL, h REAL, label TEXT, confidence REAL,"
                           " input_hash TEXT NOT NULL)"),
            QStringLiteral("CREATE INDEX expert_findings_image ON expert_findings(image_id, expert)"),
            // Which expert ran on which image with which inputs, also when it
            // found nothing, so an unchanged rerun is skipped.
            QStringLiteral("CREATE TABLE expert_runs ("
                           " image_id INTEGER NOT NULL, expert TEXT NOT NULL, input_hash TEXT NOT NULL, error TEXT,"
                           " PRIMARY KEY (image_id, expert))"),
            QStringLiteral("CREATE TABLE decisions ("
                           " image_id INTEGER PRIMARY KEY, decision TEXT, syn_text TEXT, at TEXT NOT NULL)"),
        },
        // 1 -> 2: a BRISQUE quality score per image, for the optional stage-1
        // quality filter (extract.max_brisque); NULL = not scored.
        {
            QStringLiteral("ALTER TABLE images ADD COLUMN brisque REAL"),
        },
        // 2 -> 3: stage state that reflects the data. image_pairs keeps the
        // embedding near-duplicate pairs the embed stage found, so that any
        // re-decision of images regroups them over the survivors instead of
        // erasing them; stages.inputs is the verdict digest a stage saw when
        // it finished (NULL for runs before this version: not compared).
        {
            QStringLiteral("CREATE TABLE image_pairs ("
                           " kind TEXT NOT NULL, a INTEGER NOT NULL, b INTEGER NOT NULL, score REAL,"
                           " PRIMARY KEY (kind, a, b))"),
            QStringLiteral("ALTER TABLE stages ADD COLUMN inputs TEXT"),
        },
        // 3 -> 4: fused retrieval keeps each retrieved text's per-signal
        // scores (normalised, 0..1; NULL for rows written before, or by the
        // document mode, which has no signals).
        {
            QStringLiteral("ALTER TABLE retrievals ADD COLUMN visual REAL"),
            QStringLiteral("ALTER TABLE retrievals ADD COLUMN ocr REAL"),
            QStringLiteral("ALTER TABLE retrievals ADD COLUMN context REAL"),
            QStringLiteral("ALTER TABLE retrievals ADD COLUMN lexical REAL"),
        },
        // 4 -> 5: snapshots (core/export/snapshot.h) freeze the recipe (the
        // text of every setting, JSON), the selection (every image with the
        // reason it is not selected, NULL = selected) and the exported
        // fields of each selected sample (JSON), to diff runs and export a
        // past selection byte-identically.
        {
            QStringLiteral("CREATE TABLE snapshots ("
                           " name TEXT PRIMARY KEY, created_at TEXT NOT NULL, recipe TEXT NOT NULL,"
                           " encoder TEXT NOT NULL, sources TEXT NOT NULL)"),
            QStringLiteral("CREATE TABLE snapshot_images ("
                           " snapshot TEXT NOT NULL REFERENCES snapshots(name) ON DELETE CASCADE,"
                           " image_id INTEGER NOT NULL, reason TEXT, sample TEXT,"
                           " PRIMARY KEY (snapshot, image_id))"),
        },
        // 5 -> 6: the curator's keepers of near-duplicate groups
        // (core/store/curation.h). An input of the image decision kernel,
        // never written by a stage, so the choice wins on every re-run.
        {
            QStringLiteral("CREATE TABLE duplicate_keepers (image_id INTEGER PRIMARY KEY, at TEXT NOT NULL)"),
        },
    };
    return all;
}

} // namespace rs::schema
