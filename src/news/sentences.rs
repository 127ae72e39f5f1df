//! Sentence embeddings: all-MiniLM-L6-v2 on the CPU turns an article's English title and
//! summary into 384 numbers whose cosine says how alike two texts' meanings are, so that
//! stories can join reports that share few words ("Wall Street slides" and "US stocks fall").
//!
//! The model is Reimers and Gurevych's sentence-transformers checkpoint (Apache 2.0), a
//! six-layer BERT trained on a billion sentence pairs, read from its folder as
//! sentence-transformers saves it (`config.json`, `model.safetensors`, `tokenizer.json`) and
//! run by candle's BERT: tokens in, the mean of the last layer over the text's tokens, L2-
//! normalised, as its `1_Pooling` and `2_Normalize` modules do. On 312 sentences (accents,
//! Cyrillic, CJK, empty) this matches sentence-transformers' own embeddings to a cosine of
//! 1 − 2.4·10⁻⁷. `scripts/sentence-model.py` fetches the folder; nothing of it is shipped.
//!
//! Not this module's concern: which articles are embedded, when, or where the vectors go.

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

use super::words;

/// How many numbers an embedding has.
pub const DIMENSIONS: usize = 384;

/// The model reads at most this many tokens of a text, as sentence-transformers runs it
/// (`max_seq_length`); a headline and a summary's first sentences fit.
pub const MAX_TOKENS: usize = 256;

/// How much of title and summary together is tokenized: more than [`MAX_TOKENS`] tokens'
/// worth of text, and feed text is untrusted, of any length.
pub const TEXT_CHARS: usize = 2_000;

/// Texts run through the model together: batching shares each layer's matrix products
/// (about 7 ms a headline in batches of 32 against 14.5 ms one at a time, release build).
pub const BATCH: usize = 32;

/// The model's folder's name inside the data folder.
pub const FOLDER: &str = "sentence-model";

/// Why the model could not be loaded or run.
#[derive(Debug, thiserror::Error)]
pub enum SentenceError {
    #[error("sentence model: cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("sentence model: {path} is not a valid {what}: {reason}")]
    Invalid {
        path: PathBuf,
        what: &'static str,
        reason: String,
    },
    #[error("sentence model: embedding failed: {0}")]
    Run(String),
}

/// The loaded model and its tokenizer.
pub struct SentenceModel {
    model: BertModel,
    tokenizer: Tokenizer,
}

impl std::fmt::Debug for SentenceModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SentenceModel")
    }
}

impl SentenceModel {
    /// Loads the model from its folder; each missing or malformed file is named.
    pub fn load(dir: &Path) -> Result<Self, SentenceError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|source| SentenceError::Read { path, source })
        };
        let invalid = |name: &str, what, reason: String| SentenceError::Invalid {
            path: dir.join(name),
            what,
            reason,
        };
        let config: Config = serde_json::from_slice(&read("config.json")?)
            .map_err(|e| invalid("config.json", "BERT configuration", e.to_string()))?;
        let mut tokenizer = Tokenizer::from_bytes(read("tokenizer.json")?)
            .map_err(|e| invalid("tokenizer.json", "tokenizer", e.to_string()))?;
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            ..PaddingParams::default()
        }));
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..TruncationParams::default()
            }))
            .map_err(|e| invalid("tokenizer.json", "tokenizer", e.to_string()))?;
        let weights = VarBuilder::from_buffered_safetensors(
            read("model.safetensors")?,
            DType::F32,
            &Device::Cpu,
        )
        .and_then(|weights| BertModel::load(weights, &config))
        .map_err(|e| invalid("model.safetensors", "BERT model", e.to_string()))?;
        let model = Self {
            model: weights,
            tokenizer,
        };
        // A folder of another model loads but gives vectors of another size.
        let probe = model.embed(&["probe"])?;
        if probe.first().map(Vec::len) != Some(DIMENSIONS) {
            return Err(invalid(
                "config.json",
                "all-MiniLM-L6-v2 configuration",
                format!(
                    "embeddings have {DIMENSIONS} numbers, not {}",
                    probe[0].len()
                ),
            ));
        }
        Ok(model)
    }

    /// The unit-length embedding of each text, in order, run [`BATCH`] at a time; each text
    /// is read to its first [`TEXT_CHARS`] characters and [`MAX_TOKENS`] tokens.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, SentenceError> {
        let mut out = Vec::with_capacity(texts.len());
        for chunk in texts.chunks(BATCH) {
            out.extend(self.embed_batch(chunk)?);
        }
        Ok(out)
    }

    fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, SentenceError> {
        let run = |e: &dyn std::fmt::Display| SentenceError::Run(e.to_string());
        let bounded: Vec<&str> = texts.iter().map(|t| words::prefix(t, TEXT_CHARS)).collect();
        let encodings = self
            .tokenizer
            .encode_batch(bounded, true)
            .map_err(|e| run(&e))?;
        let (Some(first), rows) = (encodings.first(), encodings.len()) else {
            return Ok(Vec::new());
        };
        let columns = first.get_ids().len();
        let ids: Vec<u32> = encodings
            .iter()
            .flat_map(|e| e.get_ids().to_vec())
            .collect();
        let mask: Vec<u32> = encodings
            .iter()
            .flat_map(|e| e.get_attention_mask().to_vec())
            .collect();
        let pooled = || -> candle_core::Result<Vec<Vec<f32>>> {
            let ids = Tensor::from_vec(ids, (rows, columns), &Device::Cpu)?;
            let mask = Tensor::from_vec(mask, (rows, columns), &Device::Cpu)?;
            let hidden = self.model.forward(&ids, &ids.zeros_like()?, Some(&mask))?;
            // The mean over the text's own tokens, not the padding.
            let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
            let sum = hidden.broadcast_mul(&mask)?.sum(1)?;
            let mean = sum.broadcast_div(&mask.sum(1)?.clamp(1e-9f32, f32::MAX)?)?;
            let norm = mean
                .sqr()?
                .sum_keepdim(1)?
                .sqrt()?
                .clamp(1e-12f32, f32::MAX)?;
            mean.broadcast_div(&norm)?.to_vec2::<f32>()
        };
        pooled().map_err(|e| run(&e))
    }
}

/// What is embedded of an article: its English title and summary together.
pub fn article_text(title: &str, summary: &str) -> String {
    let title = words::prefix(title, TEXT_CHARS);
    let summary = words::prefix(summary, TEXT_CHARS.saturating_sub(title.chars().count()));
    format!("{title} {summary}")
}

/// An embedding as stored: its numbers as little-endian `f32`s.
pub fn to_bytes(vector: &[f32]) -> Vec<u8> {
    vector.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// An embedding read back from the store; `None` unless it is [`DIMENSIONS`] finite numbers.
pub fn from_bytes(bytes: &[u8]) -> Option<Vec<f32>> {
    if bytes.len() != DIMENSIONS * 4 {
        return None;
    }
    let vector: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    vector.iter().all(|x| x.is_finite()).then_some(vector)
}

/// The model the tests run: loaded once from the folder NEWSGLOBE_SENTENCE_MODEL names
/// (`scripts/sentence-model.py` fetches it); `None` without one, unless
/// NEWSGLOBE_REQUIRE_SENTENCE_MODEL is set, as `.ci/run` sets it, so that there the tests
/// that need the model fail instead of skipping.
#[cfg(test)]
pub(crate) fn test_model() -> Option<std::sync::Arc<SentenceModel>> {
    static MODEL: std::sync::OnceLock<Option<std::sync::Arc<SentenceModel>>> =
        std::sync::OnceLock::new();
    MODEL
        .get_or_init(|| {
            let Some(dir) = std::env::var_os("NEWSGLOBE_SENTENCE_MODEL") else {
                assert!(
                    std::env::var_os("NEWSGLOBE_REQUIRE_SENTENCE_MODEL").is_none(),
                    "NEWSGLOBE_REQUIRE_SENTENCE_MODEL is set but NEWSGLOBE_SENTENCE_MODEL is not"
                );
                eprintln!("skipped: set NEWSGLOBE_SENTENCE_MODEL (see scripts/sentence-model.py)");
                return None;
            };
            let model = SentenceModel::load(Path::new(&dir)).expect("the sentence model loads");
            Some(std::sync::Arc::new(model))
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cosine(a: &[f32], b: &[f32]) -> f32 {
        let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
        dot / (a.iter().map(|x| x * x).sum::<f32>() * b.iter().map(|x| x * x).sum::<f32>()).sqrt()
    }

    #[test]
    fn embeddings_match_sentence_transformers_alone_and_in_a_batch() {
        let Some(model) = test_model() else { return };
        let fixture: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/fixtures/sentences.json")).unwrap();
        let cases: Vec<(&str, Vec<f32>)> = fixture["texts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|case| {
                let expected = case["embedding"].as_array().unwrap();
                let expected = expected.iter().map(|x| x.as_f64().unwrap() as f32);
                (case["text"].as_str().unwrap(), expected.collect())
            })
            .collect();
        let texts: Vec<&str> = cases.iter().map(|(text, _)| *text).collect();
        let batch = model.embed(&texts).unwrap();
        assert_eq!(batch.len(), cases.len());
        for ((text, expected), batched) in cases.iter().zip(&batch) {
            let alone = &model.embed(&[text]).unwrap()[0];
            assert_eq!(alone.len(), DIMENSIONS);
            for got in [alone, batched] {
                let similarity = cosine(got, expected);
                assert!(similarity > 0.99999, "{text:?}: cosine {similarity}");
                let length = dense_length(got);
                assert!((length - 1.0).abs() < 1e-4, "{text:?}: length {length}");
            }
        }
    }

    fn dense_length(v: &[f32]) -> f32 {
        v.iter().map(|x| x * x).sum::<f32>().sqrt()
    }

    #[test]
    fn a_paraphrase_is_nearer_than_other_news_though_it_shares_no_word() {
        let Some(model) = test_model() else { return };
        let embedded = model
            .embed(&[
                "Wall Street slides as tech shares tumble",
                "US stocks fall, led by technology companies",
                "Floods force thousands from their homes in Valencia",
            ])
            .unwrap();
        let paraphrase = cosine(&embedded[0], &embedded[1]);
        let other = cosine(&embedded[0], &embedded[2]);
        // Measured 0.46 against 0.06.
        assert!(
            paraphrase > 0.4 && other < 0.15,
            "{paraphrase} against {other}"
        );
    }

    #[test]
    fn untrusted_text_is_bounded_and_nothing_is_no_work() {
        let Some(model) = test_model() else { return };
        let huge = "Malatya earthquake 🌍 ".repeat(100_000);
        let odd = "\u{0}\u{feff}\u{200d} <script>alert(1)</script> ﷽ İİİ 𝔼𝕝𝕖𝕔𝕥𝕚𝕠𝕟";
        let embedded = model.embed(&[&huge, odd, ""]).unwrap();
        assert_eq!(embedded.len(), 3);
        for vector in &embedded {
            assert_eq!(vector.len(), DIMENSIONS);
            assert!((dense_length(vector) - 1.0).abs() < 1e-4);
        }
        assert!(model.embed(&[]).unwrap().is_empty());
    }

    #[test]
    fn a_missing_or_broken_model_is_named_by_its_file() {
        let empty = tempfile::tempdir().unwrap();
        match SentenceModel::load(empty.path()) {
            Err(SentenceError::Read { path, .. }) => assert!(path.ends_with("config.json")),
            other => panic!("{other:?}"),
        }
        std::fs::write(empty.path().join("config.json"), "{\"hidden_size\": ").unwrap();
        let error = SentenceModel::load(empty.path()).unwrap_err();
        assert!(
            matches!(&error, SentenceError::Invalid { path, .. } if path.ends_with("config.json")),
            "{error}"
        );
        let Some(dir) =
            std::env::var_os("NEWSGLOBE_SENTENCE_MODEL").filter(|_| test_model().is_some())
        else {
            return;
        };
        let broken = tempfile::tempdir().unwrap();
        for name in ["config.json", "tokenizer.json"] {
            std::fs::copy(Path::new(&dir).join(name), broken.path().join(name)).unwrap();
        }
        std::fs::write(
            broken.path().join("model.safetensors"),
            b"\x08\0\0\0\0\0\0\0{}",
        )
        .unwrap();
        let error = SentenceModel::load(broken.path()).unwrap_err();
        assert!(
            matches!(&error, SentenceError::Invalid { path, .. } if path.ends_with("model.safetensors")),
            "{error}"
        );
        assert!(error.to_string().contains("model.safetensors"), "{error}");
    }

    #[test]
    fn stored_embeddings_round_trip_and_bad_ones_are_refused() {
        let vector: Vec<f32> = (0..DIMENSIONS).map(|i| i as f32 / 7.0 - 20.0).collect();
        assert_eq!(from_bytes(&to_bytes(&vector)), Some(vector.clone()));
        assert_eq!(from_bytes(&to_bytes(&vector[1..])), None);
        assert_eq!(from_bytes(&[]), None);
        let mut bad = vector;
        bad[5] = f32::NAN;
        assert_eq!(from_bytes(&to_bytes(&bad)), None);
    }

    #[test]
    fn an_article_is_its_title_and_summary_bounded() {
        assert_eq!(
            article_text("Quake hits Malatya", "Buildings fell."),
            "Quake hits Malatya Buildings fell."
        );
        let long = "x".repeat(5_000);
        assert_eq!(article_text(&long, &long).chars().count(), TEXT_CHARS + 1);
    }
}
