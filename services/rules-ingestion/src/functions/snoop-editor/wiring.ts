// The page script, bundled for the browser when this function is built (scripts/serverless/esbuild-plugins.cjs).
import script from 'virtual:snoop-editor-script';
import { z } from 'zod';
import type { EditorPageConfig } from '../../web/editor-page';

export interface SnoopEditorDeps {
  page: EditorPageConfig;
  /** The page script, bundled for the browser. */
  script: string;
}

const environmentSchema = z.object({
  EDITOR_SIGN_IN_URL: z.url(
    'set EDITOR_SIGN_IN_URL to the staff sign-in (Cognito hosted UI, or the local identity provider)',
  ),
  EDITOR_CLIENT_ID: z.string().min(1, "set EDITOR_CLIENT_ID to the editor's app client of the staff user pool"),
});

export function wireSnoopEditor(env: Record<string, string | undefined> = process.env): SnoopEditorDeps {
  const config = environmentSchema.parse(env);
  return { page: { signInUrl: config.EDITOR_SIGN_IN_URL, clientId: config.EDITOR_CLIENT_ID }, script };
}
