export { runOnce, runSchedule, scheduleInterval, type RunEvent, type RunOutcome, type RunResult, type RunOptions, type ScheduleOptions, type ActionExecutor } from './runner';
export { lintTemplate } from './lint';
export { readTemplate, readTemplateJson, resolveTemplatePath, bundledTemplates, templatesDir, type CycleTemplate } from './template';
export { fieldValues, resolveInput } from './mapping';
export { renderTemplateDiagram, scheduleText, type DiagramOptions } from './diagram';
export { ConnectorExecutor, type ConnectorExecutorOptions, type ClientSource } from './executor';
