// Variables several apps set the same way from the same body fields: health checks, application
// updates, the download client and item. Pure data.
import { pascal, text } from './format.ts';
import { at, type VarTable } from './table.ts';

/** Set the same way by Grab, Download and ManualInteractionRequired of every app. */
export const DOWNLOAD_CLIENT: VarTable = [
  ['download_client', (b) => text(b.downloadClient)],
  ['download_client_type', (b) => text(b.downloadClientType)],
  ['download_id', (b) => text(b.downloadId)],
];

/** HealthIssue (`health_issue_*`) and HealthRestored (`health_restored_*`): the level is the enum name. */
export function healthVars(kind: 'issue' | 'restored'): VarTable {
  return [
    [`health_${kind}_level`, (b) => pascal(b.level)],
    [`health_${kind}_message`, (b) => text(b.message)],
    [`health_${kind}_type`, (b) => text(b.type)],
    [`health_${kind}_wiki`, (b) => text(b.wikiUrl)],
  ];
}

export const UPDATE_VARS: VarTable = [
  ['update_message', (b) => text(b.message)],
  ['update_newversion', (b) => text(b.newVersion)],
  ['update_previousversion', (b) => text(b.previousVersion)],
];

export const DOWNLOAD_ITEM_VARS: VarTable = [
  ['download_size', at('downloadInfo', 'size')],
  ['download_title', at('downloadInfo', 'title')],
];

