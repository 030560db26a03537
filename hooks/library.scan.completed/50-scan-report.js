// @ts-check
// An action hook that reports progress: after a library scan, go through the files it found
// (payload.newFiles, if the application sends them), sort them into videos, subtitles and
// the rest, flag samples and stray files, and report how far it is with ctx.progress (live on
// GET /stream as hook.progress, and in `hookd run-hook`). The summary is the hook's result.

export const config = {
  description: 'Summarizes the files a library scan found, with live progress',
};

const VIDEO = /\.(mkv|mp4|avi|m4v|mov|ts|wmv|webm)$/i;
const SUBTITLE = /\.(srt|ass|ssa|sub|idx|vtt)$/i;
const IGNORED = /\.(nfo|jpg|jpeg|png|txt|url|exe|lnk)$/i;
const SAMPLE = /(^|[\\/._ -])sample([\\/._ -]|$)/i;

/**
 * @param {import('../../types/hookd').HookEvent<'library.scan.completed'>} event
 * @param {import('../../types/hookd').HookContext} ctx
 */
export default function scanReport(event, ctx) {
  const { path = 'the library', newFiles } = event.payload;
  const files = Array.isArray(newFiles) ? newFiles.filter((f) => typeof f === 'string') : [];
  const summary = { path, files: files.length, videos: 0, subtitles: 0, ignored: 0, other: 0, samples: /** @type {string[]} */ ([]) };
  let reported = -1;
  for (const [i, file] of files.entries()) {
    ctx.signal.throwIfAborted(); // a huge list must still end at the deadline
    if (SAMPLE.test(file) && VIDEO.test(file)) summary.samples.push(file);
    else if (VIDEO.test(file)) summary.videos += 1;
    else if (SUBTITLE.test(file)) summary.subtitles += 1;
    else if (IGNORED.test(file)) summary.ignored += 1;
    else summary.other += 1;
    // One update per 10 %: ctx.progress batches anyway, but fewer updates read better.
    const pct = Math.floor(((i + 1) / files.length) * 10) * 10;
    if (pct !== reported) {
      reported = pct;
      ctx.progress({ pct, message: `${i + 1} of ${files.length} files checked` });
    }
  }
  ctx.progress({ pct: 100, message: 'done', data: { videos: summary.videos, samples: summary.samples.length } });
  ctx.log.info(`${path}: ${summary.videos} videos, ${summary.subtitles} subtitles, ${summary.samples.length} samples, ${summary.other} other`);
  if (summary.samples.length > 0) ctx.log.warn(`sample files in the library: ${summary.samples.slice(0, 10).join(', ')}`);
  return summary;
}
