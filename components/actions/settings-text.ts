import {
  MEMBER_SETTING_NAMES,
  type TMemberSettingName,
  type TMemberSettingsCapability,
  type TObservedSettings,
} from "@/server/domain/member-settings";

/** Which settings at least one enabled frontend has: the settings dialog offers exactly these. */
export function offeredSettings(
  frontends: ReadonlyArray<{ enabled: boolean; memberSettings?: TMemberSettingsCapability }>,
): TMemberSettingName[] {
  return MEMBER_SETTING_NAMES.filter((name) => frontends.some((f) => f.enabled && f.memberSettings?.[name]));
}

/** A frontend's member settings in one line ("route tomcat2 · redirect – · lbset 0"), "" when it shows none. */
export function formatSettings(settings: TObservedSettings | undefined): string {
  if (!settings) return "";
  return MEMBER_SETTING_NAMES.filter((n) => settings[n] !== undefined)
    .map((n) => `${n} ${settings[n] === "" ? "–" : String(settings[n])}`)
    .join(" · ");
}
