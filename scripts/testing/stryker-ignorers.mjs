// Stryker ignorers (stryker.config.mjs "ignorers"): code whose mutants change no behaviour a test should pin.
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

const LOG_LEVELS = new Set(['debug', 'info', 'warn', 'error']);

/** `logger.warn(...)`, `options.logger.info(...)`: a Powertools log line's wording and fields. */
function isLogCall(node) {
  if (node.type !== 'CallExpression' || node.callee.type !== 'MemberExpression') return false;
  const { object, property } = node.callee;
  if (property.type !== 'Identifier' || !LOG_LEVELS.has(property.name)) return false;
  const owner =
    object.type === 'Identifier' ? object.name : object.type === 'MemberExpression' ? object.property.name : '';
  return owner === 'logger';
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'log-lines', {
    shouldIgnore(path) {
      if (path.isExpressionStatement() && isLogCall(path.node.expression))
        return 'a log line: its wording and fields are for people reading logs, and no log carries personal data';
      return undefined;
    },
  }),
];
