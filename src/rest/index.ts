/** Five9's REST side: OAuth2 client credentials, REST actions from the manifest, the contacts uploader. */
export { RestClient, type RestClientOptions, type RestEvent, type RestResult, type RestRunOptions } from './client';
export { TokenClient, type AccessToken, hasScope } from './token';
export { RestHttp, errorBody, retryAfterMs } from './http';
export { uploadContacts, UnreadableRow, type UploadOptions, type UploadEvent, type UploadReport } from './upload';
export { Checkpoint, type CheckpointEntry, type RowRange } from './checkpoint';
export { csvRecords, CsvQuoteError, CellProblem, MAX_RECORD_BYTES, type CsvRecord } from './csv';
export { readContactsFile, parseCsv, type ContactsFormat } from './sources';
