// Defender advanced hunting table schemas, as documented by Microsoft in the
// DeviceNetworkEvents and DeviceEvents pages of the advanced hunting schema
// reference (MicrosoftDocs/defender-docs, defender-xdr/advanced-hunting-*-table.md,
// ms.date 09/06/2024). Neither table has SentBytes or ReceivedBytes.

const COMMON_INITIATING_PROCESS = [
    ['InitiatingProcessSHA1', 'string'],
    ['InitiatingProcessSHA256', 'string'],
    ['InitiatingProcessMD5', 'string'],
    ['InitiatingProcessFileName', 'string'],
    ['InitiatingProcessFileSize', 'long'],
    ['InitiatingProcessVersionInfoCompanyName', 'string'],
    ['InitiatingProcessVersionInfoProductName', 'string'],
    ['InitiatingProcessVersionInfoProductVersion', 'string'],
    ['InitiatingProcessVersionInfoInternalFileName', 'string'],
    ['InitiatingProcessVersionInfoOriginalFileName', 'string'],
    ['InitiatingProcessVersionInfoFileDescription', 'string'],
    ['InitiatingProcessId', 'long'],
    ['InitiatingProcessCommandLine', 'string'],
    ['InitiatingProcessCreationTime', 'datetime'],
    ['InitiatingProcessFolderPath', 'string'],
    ['InitiatingProcessParentFileName', 'string'],
    ['InitiatingProcessParentId', 'long'],
    ['InitiatingProcessParentCreationTime', 'datetime'],
    ['InitiatingProcessAccountDomain', 'string'],
    ['InitiatingProcessAccountName', 'string'],
    ['InitiatingProcessAccountSid', 'string'],
    ['InitiatingProcessAccountUpn', 'string'],
    ['InitiatingProcessAccountObjectId', 'string'],
];

const SESSION_AND_REPORT = [
    ['ReportId', 'long'],
    ['AppGuardContainerId', 'string'],
    ['AdditionalFields', 'string'],
    ['InitiatingProcessSessionId', 'long'],
    ['IsInitiatingProcessRemoteSession', 'bool'],
    ['InitiatingProcessRemoteSessionDeviceName', 'string'],
    ['InitiatingProcessRemoteSessionIP', 'string'],
];

export const DEVICE_NETWORK_EVENTS = [
    ['Timestamp', 'datetime'],
    ['DeviceId', 'string'],
    ['DeviceName', 'string'],
    ['ActionType', 'string'],
    ['RemoteIP', 'string'],
    ['RemotePort', 'int'],
    ['RemoteUrl', 'string'],
    ['LocalIP', 'string'],
    ['LocalPort', 'int'],
    ['Protocol', 'string'],
    ['LocalIPType', 'string'],
    ['RemoteIPType', 'string'],
    ...COMMON_INITIATING_PROCESS,
    ['InitiatingProcessIntegrityLevel', 'string'],
    ['InitiatingProcessTokenElevation', 'string'],
    ...SESSION_AND_REPORT,
];

export const DEVICE_EVENTS = [
    ['Timestamp', 'datetime'],
    ['DeviceId', 'string'],
    ['DeviceName', 'string'],
    ['ActionType', 'string'],
    ['FileName', 'string'],
    ['FolderPath', 'string'],
    ['SHA1', 'string'],
    ['SHA256', 'string'],
    ['MD5', 'string'],
    ['FileSize', 'long'],
    ['AccountDomain', 'string'],
    ['AccountName', 'string'],
    ['AccountSid', 'string'],
    ['RemoteUrl', 'string'],
    ['RemoteDeviceName', 'string'],
    ['ProcessId', 'long'],
    ['ProcessCommandLine', 'string'],
    ['ProcessCreationTime', 'datetime'],
    ['ProcessTokenElevation', 'string'],
    ['LogonId', 'long'],
    ['RegistryKey', 'string'],
    ['RegistryValueName', 'string'],
    ['RegistryValueData', 'string'],
    ['RemoteIP', 'string'],
    ['RemotePort', 'int'],
    ['LocalIP', 'string'],
    ['LocalPort', 'int'],
    ['FileOriginUrl', 'string'],
    ['FileOriginIP', 'string'],
    ...COMMON_INITIATING_PROCESS,
    ['InitiatingProcessLogonId', 'long'],
    ...SESSION_AND_REPORT,
    ['CreatedProcessSessionId', 'long'],
    ['IsProcessRemoteSession', 'bool'],
    ['ProcessRemoteSessionDeviceName', 'string'],
    ['ProcessRemoteSessionIP', 'string'],
];

// Returns a Kusto schema string such as "(Timestamp:datetime, DeviceId:string)".
export function schemaText(columns) {
    return `(${columns.map(([name, type]) => `${name}:${type}`).join(', ')})`;
}
