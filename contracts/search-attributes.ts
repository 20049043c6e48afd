/** The search attributes a run sets, so runs can be listed by input file, size and stage. */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const InputFileAttribute = defineSearchAttributeKey('DroverInputFile', SearchAttributeType.KEYWORD);
export const RecordCountAttribute = defineSearchAttributeKey('DroverRecordCount', SearchAttributeType.INT);
export const StageAttribute = defineSearchAttributeKey('DroverStage', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [InputFileAttribute, RecordCountAttribute, StageAttribute];

/** The `--search-attribute` flags of `temporal server start-dev`: registered before any run sets them. */
export const SEARCH_ATTRIBUTE_FLAGS = ['DroverInputFile=Keyword', 'DroverRecordCount=Int', 'DroverStage=Keyword'];
