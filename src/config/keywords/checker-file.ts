/** FILE_CHECK { } (check_file.c): the real server's weight follows a track_file. */
import { ConfigErr } from '../diagnostics.js';
import type { KeywordContext, KeywordDef } from '../keyword-table.js';
import type { FileCheck } from '../model/lvs.js';
import { need, readInt } from '../values.js';
import { currentRs } from './lvs-state.js';

const WEIGHT_LIMIT = 2147483647;

function fileCheck(ctx: KeywordContext): FileCheck | undefined {
  const rs = currentRs(ctx);
  return rs?.fileChecks[rs.fileChecks.length - 1];
}

export const fileCheckKeyword: KeywordDef = {
  name: 'FILE_CHECK',
  args: '{ ... }',
  support: 'supported',
  summary: 'Adjust the real server weight from a track_file value (× weight).',
  handler: (_strvec, ctx) => {
    currentRs(ctx)?.fileChecks.push({ at: ctx.position, reverse: false });
  },
  sub: [
    {
      name: 'track_file',
      args: '<NAME>',
      support: 'supported',
      summary: 'Name of a track_file block defined earlier.',
      handler: (strvec, ctx) => {
        const name = need(ctx, strvec, 1);
        if (!ctx.config.global.trackFiles.some((t) => t.name === name)) {
          ctx.report(ConfigErr.GENERAL_ERROR, `track_file ${name} not found`);
          return;
        }
        const f = fileCheck(ctx);
        if (f) f.trackFile = name;
      },
    },
    {
      name: 'weight',
      args: `<-${WEIGHT_LIMIT}..${WEIGHT_LIMIT}> [reverse|noreverse]`,
      default: "the track_file's weight",
      support: 'supported',
      summary: 'Multiplier of the file value.',
      handler: (strvec, ctx) => {
        if (strvec.length < 2) {
          ctx.report(ConfigErr.GENERAL_ERROR, 'track file weight missing');
          return;
        }
        const w = readInt(ctx, strvec[1]!, -WEIGHT_LIMIT, WEIGHT_LIMIT);
        if (w === undefined) {
          ctx.report(ConfigErr.GENERAL_ERROR, `weight for track file must be in [${-WEIGHT_LIMIT}..${WEIGHT_LIMIT}] inclusive. Ignoring...`);
          return;
        }
        let reverse = false;
        if (strvec.length >= 3) {
          if (strvec[2] === 'reverse') reverse = true;
          else if (strvec[2] !== 'noreverse') {
            ctx.report(ConfigErr.GENERAL_ERROR, `unknown track file weight option ${strvec[2]} - ignoring`);
            return;
          }
        }
        const f = fileCheck(ctx);
        if (f) {
          f.weight = w;
          f.reverse = reverse;
        }
      },
    },
  ],
  close: (ctx) => {
    const rs = currentRs(ctx);
    const f = fileCheck(ctx);
    if (!rs || !f) return;
    if (f.trackFile === undefined) {
      ctx.report(ConfigErr.GENERAL_ERROR, 'FILE_CHECK has no track_file specified - ignoring');
      rs.fileChecks.pop();
      return;
    }
    if (f.weight === undefined) {
      const t = ctx.config.global.trackFiles.find((x) => x.name === f.trackFile);
      if (t) {
        f.weight = t.weight;
        f.reverse = t.weightReverse;
      }
    }
  },
};
