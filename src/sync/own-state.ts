// The copier's own objects in the bucket: resync ledgers, and a start-up probe's objects still in flight (another
// pod's). Listed beside a container's objects, they are never copied, extraneous, foreign or deleted.
import { isProbeName } from '../s3/profile.ts';
import { isLedgerName } from './ledger.ts';

export function isOwnState(name: string): boolean {
  return isLedgerName(name) || isProbeName(name);
}
