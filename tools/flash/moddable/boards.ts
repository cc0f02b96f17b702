/**
 * Moddable SDK subplatforms (`esp32/<name>`, build/devices/esp32/targets in the SDK) accepted per
 * chip. The list is the boards micromine documents (docs/flashing.md); a board missing here is
 * added by name, after checking its chip in the SDK.
 * @module
 */
import type { Board } from '../../manifests/index.ts';
import { ToolError } from '../../provision/errors.ts';

/** Subplatforms by chip. */
export const MODDABLE_BOARDS: Readonly<Record<Board['chip'], readonly string[]>> = {
  esp32: ['nodemcu', 'moddable_two', 'm5stack', 'm5stack_core2', 'esp32_thing', 'esp32_thing_plus', 'heltec_wifi_kit_32', 'lilygo_ttgo', 'ethernet_kit'],
  esp32s3: ['esp32s3', 'esp32s3_cdc', 'esp32s3_usb', 'atoms3', 'atoms3_lite', 'lilygo_tdisplay_s3', 'lilygo_t_qt', 'feather_s3_tft'],
  esp32c3: ['esp32c3', 'esp32c3_cdc', 'c3_32s_kit', 'c3_32s_kit_2m', 'lolin_c3mini', 'lolin_c3pico', 'c3_devkit_rust'],
};

/**
 * The `esp32/<name>` platform for `board` (given as `name` or `esp32/name`), or the profile's own
 * board when none is given; an unknown board or one of another chip is refused by name.
 */
export function moddablePlatform(chip: Board['chip'], board: string | undefined, profileBoard: string): string {
  const name = (board ?? profileBoard).replace(/^esp32\//, '');
  if (MODDABLE_BOARDS[chip].includes(name)) return `esp32/${name}`;
  const other = (Object.keys(MODDABLE_BOARDS) as Board['chip'][]).find((c) => MODDABLE_BOARDS[c].includes(name));
  throw new ToolError('unknown_board', other === undefined
    ? `unknown Moddable board ${JSON.stringify(board ?? profileBoard)}`
    : `board ${name} is an ${other}, but the target is for an ${chip}`, {
    where: '--board',
    hint: `${chip} boards: ${MODDABLE_BOARDS[chip].join(', ')}${other === undefined ? '' : `; for ${name} use the moddable-${other} target`}`,
  });
}
