"""Make the demo's audio: speak a timed transcript with espeak-ng, each paragraph at its start time.

    python3 scripts/demo_audio.py episodes/2025-06-11-probing-a-reward-model-live.vtt \
        docs/audio/2025-06-11-probing-a-reward-model-live.ogg

Needs Debian's espeak-ng and sox (with libsox-fmt-all for Ogg). The result is committed, so building
the demo does not need either; this script only documents how the file was made.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from episode_archive.readers import read_transcript

VOICES = ["en-us+m3", "en-gb+f3", "en-us+m5", "en-gb+f4"]
RATE = 16000


def main(source: Path, out: Path) -> None:
    transcript = read_transcript(source, source.name)
    voices: dict[str | None, str] = {}
    with tempfile.TemporaryDirectory() as work:
        pieces: list[str] = []
        position = 0.0
        for index, segment in enumerate(transcript.segments):
            if segment.start is None or segment.kind != "text":
                continue
            voice = voices.setdefault(segment.speaker, VOICES[len(voices) % len(VOICES)])
            speech = Path(work, f"{index:04d}.wav")
            subprocess.run(["espeak-ng", "-v", voice, "-s", "165", "-w", str(speech), segment.text], check=True)
            resampled = Path(work, f"{index:04d}r.wav")
            subprocess.run(["sox", str(speech), "-r", str(RATE), "-c", "1", str(resampled)], check=True)
            length = float(subprocess.run(["soxi", "-D", str(resampled)], check=True, capture_output=True,
                                          text=True).stdout)
            gap = max(0.0, segment.start - position)
            if gap > 0:
                silence = Path(work, f"{index:04d}s.wav")
                subprocess.run(["sox", "-n", "-r", str(RATE), "-c", "1", str(silence), "trim", "0", f"{gap:.3f}"],
                               check=True)
                pieces.append(str(silence))
            pieces.append(str(resampled))
            position = max(position, segment.start) + length
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["sox", *pieces, "-C", "-1", str(out)], check=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
