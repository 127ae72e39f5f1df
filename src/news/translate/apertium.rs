//! Apertium, fully offline: a local `apertium` binary run once per batch, texts separated by
//! blank lines, the installed pairs asked once with `apertium -l`. Runs on a blocking
//! thread, fed and drained on threads of their own, and killed at the timeout.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

use super::{TranslateConfig, TranslateError};

/// How often to look whether apertium has finished.
const APERTIUM_POLL: Duration = Duration::from_millis(10);

/// The installed apertium mode that takes `lang` to English, e.g. `spa-eng`.
pub(super) async fn installed_mode(
    command: &Path,
    pairs: &OnceCell<Vec<String>>,
    lang: &str,
    timeout: Duration,
) -> Result<String, TranslateError> {
    // Only a listing is kept: a failure (apertium not installed yet) is asked again.
    let pairs = pairs
        .get_or_try_init(|| async {
            let listing = run_apertium(command, &["-l"], String::new(), timeout).await?;
            Ok::<_, TranslateError>(listing.split_whitespace().map(str::to_owned).collect())
        })
        .await?;
    apertium_mode(lang, pairs).ok_or_else(|| TranslateError::Unsupported {
        backend: "Apertium with the installed pairs".into(),
        lang: lang.to_owned(),
    })
}

/// Translates `texts` with `mode`, `batch_size` texts a run.
pub(super) async fn translate(
    command: &Path,
    mode: &str,
    texts: &[String],
    config: &TranslateConfig,
) -> Result<Vec<String>, TranslateError> {
    let mut translated = Vec::with_capacity(texts.len());
    for batch in texts.chunks(config.batch_size) {
        translated.extend(apertium_batch(command, mode, batch, config.timeout).await?);
    }
    Ok(translated)
}

/// ISO 639-1 codes and the ISO 639-3 codes that Apertium's current pairs are named with
/// (older pairs use the two letters, which are tried as well).
const APERTIUM_CODES: &[(&str, &str)] = &[
    ("af", "afr"),
    ("an", "arg"),
    ("ar", "ara"),
    ("be", "bel"),
    ("bg", "bul"),
    ("br", "bre"),
    ("bs", "hbs"),
    ("ca", "cat"),
    ("cs", "ces"),
    ("cy", "cym"),
    ("da", "dan"),
    ("de", "deu"),
    ("el", "ell"),
    ("eo", "epo"),
    ("es", "spa"),
    ("eu", "eus"),
    ("fr", "fra"),
    ("ga", "gle"),
    ("gd", "gla"),
    ("gl", "glg"),
    ("hi", "hin"),
    ("hr", "hbs"),
    ("id", "ind"),
    ("is", "isl"),
    ("it", "ita"),
    ("kk", "kaz"),
    ("mk", "mkd"),
    ("ms", "msa"),
    ("mt", "mlt"),
    ("nb", "nob"),
    ("nl", "nld"),
    ("nn", "nno"),
    ("no", "nob"),
    ("oc", "oci"),
    ("pl", "pol"),
    ("pt", "por"),
    ("ro", "ron"),
    ("ru", "rus"),
    ("se", "sme"),
    ("sh", "hbs"),
    ("sk", "slk"),
    ("sl", "slv"),
    ("sq", "sqi"),
    ("sr", "hbs"),
    ("sv", "swe"),
    ("tr", "tur"),
    ("tt", "tat"),
    ("uk", "ukr"),
    ("ur", "urd"),
];

/// The installed mode from `lang` into English: `spa-eng` before a variant like
/// `spa-eng_US`.
fn apertium_mode(lang: &str, pairs: &[String]) -> Option<String> {
    let three = APERTIUM_CODES
        .iter()
        .find(|(two, _)| *two == lang)
        .map(|(_, three)| *three);
    let sources: Vec<&str> = three.into_iter().chain([lang]).collect();
    let exact = sources
        .iter()
        .flat_map(|src| ["eng", "en"].map(|target| format!("{src}-{target}")))
        .find(|mode| pairs.contains(mode));
    exact.or_else(|| {
        sources.iter().find_map(|src| {
            let prefix = format!("{src}-eng_");
            pairs.iter().find(|p| p.starts_with(&prefix)).cloned()
        })
    })
}

/// Translates one batch with one run of apertium, or one run per text if the batch's
/// output does not split back into as many texts.
async fn apertium_batch(
    command: &Path,
    mode: &str,
    batch: &[String],
    timeout: Duration,
) -> Result<Vec<String>, TranslateError> {
    let lines: Vec<String> = batch.iter().map(|text| one_line(text)).collect();
    let wanted: Vec<&str> = lines
        .iter()
        .map(String::as_str)
        .filter(|l| !l.is_empty())
        .collect();
    if wanted.is_empty() {
        return Ok(batch.to_vec());
    }
    let args = ["-u", mode];
    let output = run_apertium(command, &args, join_paragraphs(&wanted), timeout).await?;
    let mut translated = split_paragraphs(&output);
    if translated.len() != wanted.len() {
        translated.clear();
        for text in &wanted {
            let output = run_apertium(command, &args, join_paragraphs(&[*text]), timeout).await?;
            translated.push(split_paragraphs(&output).join(" "));
        }
    }
    // Blank texts were not sent: they come back as they were.
    let mut translated = translated.into_iter();
    Ok(batch
        .iter()
        .zip(&lines)
        .map(|(text, line)| {
            if line.is_empty() {
                text.clone()
            } else {
                translated.next().unwrap_or_default()
            }
        })
        .collect())
}

/// A text on one line with single spaces: apertium reads a lone newline as a space inside a
/// sentence, so only blank lines can separate texts.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Texts as paragraphs, a blank line between each: apertium keeps blank lines and does not
/// move words across them (a lone newline it does: "Compré un coche\nrojo" comes back as
/// "I bought a red\ncar").
fn join_paragraphs(lines: &[&str]) -> String {
    let mut input = lines.join("\n\n");
    input.push('\n');
    input
}

/// Apertium's output back into paragraphs, each on one line.
fn split_paragraphs(output: &str) -> Vec<String> {
    let mut paragraphs = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in output.lines().map(str::trim) {
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(current.join(" "));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current.join(" "));
    }
    paragraphs
}

/// Runs apertium on a blocking thread, as tokio's process support is not among our features.
async fn run_apertium(
    command: &Path,
    args: &[&str],
    input: String,
    timeout: Duration,
) -> Result<String, TranslateError> {
    let command = command.to_path_buf();
    let args: Vec<String> = args.iter().map(|&a| a.to_owned()).collect();
    tokio::task::spawn_blocking(move || run_blocking(&command, &args, input, timeout))
        .await
        .map_err(|e| TranslateError::Backend(e.to_string()))?
}

fn run_blocking(
    command: &Path,
    args: &[String],
    input: String,
    timeout: Duration,
) -> Result<String, TranslateError> {
    let mut child = Command::new(command)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            TranslateError::Backend(format!(
                "cannot run {}: {e} (is apertium installed?)",
                command.display()
            ))
        })?;
    // Feed and drain on their own threads: apertium streams, so a large batch would fill
    // one pipe while we block on another. A write error means apertium stopped reading; its
    // exit status and stderr say why.
    let stdin = child.stdin.take();
    let writer = std::thread::spawn(move || {
        if let Some(mut stdin) = stdin {
            let _ = stdin.write_all(input.as_bytes());
        }
    });
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                // The threads are left to end when the pipes close.
                let _ = child.kill();
                let _ = child.wait();
                return Err(TranslateError::Timeout(timeout));
            }
            Ok(None) => std::thread::sleep(APERTIUM_POLL),
            Err(e) => return Err(TranslateError::Backend(e.to_string())),
        }
    };
    let joined = |thread: std::thread::JoinHandle<Vec<u8>>| {
        thread
            .join()
            .map_err(|_| TranslateError::Backend("reading its output failed".into()))
    };
    let _ = writer.join();
    let stdout = joined(stdout)?;
    let stderr = joined(stderr)?;
    if status.success() {
        Ok(String::from_utf8_lossy(&stdout).into_owned())
    } else {
        Err(TranslateError::Backend(format!(
            "{} {} failed ({status}): {}",
            command.display(),
            args.join(" "),
            String::from_utf8_lossy(&stderr).trim()
        )))
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::super::test_support::{quick, strings};
    use super::super::{Backend, Translator};
    use super::*;

    mod apertium_mode_tests {
        use super::*;

        #[test]
        fn prefers_the_plain_pair_into_english() {
            let pairs = strings(&["eng-spa", "spa-eng_US", "spa-eng", "fr-en", "cat-eng_US"]);
            assert_eq!(apertium_mode("es", &pairs).as_deref(), Some("spa-eng"));
            assert_eq!(apertium_mode("fr", &pairs).as_deref(), Some("fr-en"));
            assert_eq!(apertium_mode("ca", &pairs).as_deref(), Some("cat-eng_US"));
            assert_eq!(apertium_mode("ja", &pairs), None);
            assert_eq!(apertium_mode("en", &pairs), None);
        }
    }

    mod paragraph_tests {
        use super::*;

        #[test]
        fn texts_round_trip_through_blank_lines() {
            let lines = ["Uno dos", "Tres"];
            assert_eq!(join_paragraphs(&lines), "Uno dos\n\nTres\n");
            assert_eq!(split_paragraphs("One two\n\nThree\n"), ["One two", "Three"]);
            assert_eq!(
                split_paragraphs("\n\nOne\ntwo\n\n\n\nThree"),
                ["One two", "Three"]
            );
            assert!(split_paragraphs("\n \n").is_empty());
            assert_eq!(one_line(" a\nb \r\n\n c\td "), "a b c d");
        }
    }

    /// A stand-in `apertium`: a shell script that lists `spa-eng`, logs each run to `log`
    /// and translates by running `body` as a filter from stdin to stdout. Its folder goes
    /// when it is dropped.
    #[cfg(unix)]
    struct FakeApertium {
        dir: tempfile::TempDir,
    }

    #[cfg(unix)]
    impl FakeApertium {
        fn new(name: &str, body: &str) -> Self {
            use std::os::unix::fs::PermissionsExt;
            let scratch = tempfile::Builder::new()
                .prefix(&format!("newsglobe-translate-{name}-"))
                .tempdir()
                .expect("temp dir");
            let dir = scratch.path();
            let script = format!(
                "#!/bin/sh\necho \"$@\" >> '{log}'\nif [ \"$1\" = -l ]; then echo spa-eng; exit 0; fi\n{body}\n",
                log = dir.join("log").display()
            );
            let path = dir.join("apertium");
            std::fs::write(&path, script).expect("write script");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
            // A script just written can be "busy" for a moment if another test thread forked
            // while it was open; wait until it runs.
            for _ in 0..100 {
                match Command::new(&path).arg("-l").stdin(Stdio::null()).output() {
                    Err(e) if e.raw_os_error() == Some(26) => {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    _ => break,
                }
            }
            let _ = std::fs::remove_file(dir.join("log"));
            Self { dir: scratch }
        }

        fn translator(&self, config: TranslateConfig) -> Translator {
            let backend = Backend::Apertium {
                command: self.dir.path().join("apertium"),
            };
            Translator::new(backend, config).expect("translator")
        }

        fn runs(&self) -> Vec<String> {
            std::fs::read_to_string(self.dir.path().join("log"))
                .unwrap_or_default()
                .lines()
                .map(str::to_owned)
                .collect()
        }
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn apertium_translates_a_batch_in_one_run_and_lists_pairs_once() {
        let fake = FakeApertium::new("batch", "tr a-z A-Z");
        let translator = fake.translator(quick(0, 1));

        assert!(translator.supports("es").await);
        assert!(!translator.supports("fr").await);
        let texts = strings(&["uno\ndos", "  ", "tres"]);
        let translated = translator.translate(&texts, "es").await;

        assert_eq!(translated, Ok(strings(&["UNO DOS", "  ", "TRES"])));
        assert_eq!(fake.runs(), ["-l", "-u spa-eng"]);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn apertium_falls_back_to_one_run_per_text_when_the_output_does_not_split() {
        // Keeps only the first line: a batch comes back one paragraph short.
        let fake = FakeApertium::new("fallback", "head -n 1 | tr a-z A-Z");
        let translator = fake.translator(quick(0, 1));

        let translated = translator
            .translate(&strings(&["uno", "dos", "tres"]), "es")
            .await;

        assert_eq!(translated, Ok(strings(&["UNO", "DOS", "TRES"])));
        assert_eq!(fake.runs().len(), 1 + 1 + 3);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn apertium_failures_and_hangs_are_errors() {
        let fake = FakeApertium::new(
            "fails",
            "echo 'Error: Mode spa-eng does not exist' >&2; exit 1",
        );
        let error = fake
            .translator(quick(0, 1))
            .translate(&strings(&["uno"]), "es")
            .await;
        assert!(
            matches!(&error, Err(TranslateError::Backend(m)) if m.contains("does not exist")),
            "{error:?}"
        );

        let fake = FakeApertium::new("hangs", "exec sleep 5");
        let config = TranslateConfig {
            timeout: Duration::from_millis(200),
            ..quick(0, 1)
        };
        let error = fake
            .translator(config)
            .translate(&strings(&["uno"]), "es")
            .await;
        assert_eq!(
            error,
            Err(TranslateError::Timeout(Duration::from_millis(200)))
        );

        let missing = Backend::Apertium {
            command: PathBuf::from("/nonexistent/apertium"),
        };
        let translator = Translator::new(missing, quick(0, 1)).expect("translator");
        assert!(!translator.supports("es").await);
        let error = translator.translate(&strings(&["uno"]), "es").await;
        assert!(
            matches!(&error, Err(TranslateError::Backend(m)) if m.contains("is apertium installed")),
            "{error:?}"
        );
    }

    /// Whether the real `apertium` with `spa-eng` is here; CI sets
    /// NEWSGLOBE_REQUIRE_APERTIUM so that a missing one fails rather than skips.
    fn real_apertium() -> Option<Translator> {
        let listed = Command::new("apertium")
            .arg("-l")
            .output()
            .map(|out| String::from_utf8_lossy(&out.stdout).contains("spa-eng"));
        if !matches!(listed, Ok(true)) {
            let why = format!("apertium with spa-eng is not installed ({listed:?})");
            assert!(
                std::env::var_os("NEWSGLOBE_REQUIRE_APERTIUM").is_none(),
                "{why}"
            );
            eprintln!("skipped: {why}");
            return None;
        }
        let backend = Backend::Apertium {
            command: PathBuf::from("apertium"),
        };
        Some(Translator::new(backend, TranslateConfig::default()).expect("translator"))
    }

    #[tokio::test]
    async fn real_apertium_translates_spanish() {
        let Some(translator) = real_apertium() else {
            return;
        };
        assert_eq!(translator.label().as_deref(), Some("Apertium"));
        assert!(translator.supports("es").await);
        assert!(!translator.supports("ja").await);

        let translated = translator
            .translate(&strings(&["La economía de Brasil creció"]), "es")
            .await
            .expect("translated");

        assert!(translated[0].contains("economy"), "{translated:?}");
        assert!(translated[0].contains("Brazil"), "{translated:?}");
        assert!(matches!(
            translator.translate(&strings(&["日本"]), "ja").await,
            Err(TranslateError::Unsupported { .. })
        ));
    }

    #[tokio::test]
    async fn real_apertium_keeps_batched_texts_apart_and_in_order() {
        let Some(translator) = real_apertium() else {
            return;
        };
        // With only a newline between them, apertium would move "rojo" into the first text
        // ("I bought a red / car").
        let texts = strings(&[
            "Compré un coche",
            "rojo grande",
            "El gato negro",
            "La casa blanca\nde María",
        ]);

        let translated = translator
            .translate(&texts, "es")
            .await
            .expect("translated");

        assert_eq!(translated.len(), 4);
        assert!(
            translated[0].contains("car") && !translated[0].contains("red"),
            "{translated:?}"
        );
        assert!(
            translated[1].to_lowercase().contains("red"),
            "{translated:?}"
        );
        assert!(translated[2].contains("black cat"), "{translated:?}");
        assert!(translated[3].contains("white house"), "{translated:?}");
    }
}
